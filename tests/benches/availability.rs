//! Criterion benchmark of the availability route on moto's DynamoDB (one core, a current-thread
//! runtime), against its floor in the same run: one consistent `GetItem`. A free name costs the
//! policy and that read; a taken one also its suggestions (candidates, then one `BatchGetItem`).
//! Run with `scripts/bench-availability`, which prints the ratios.

use criterion::{criterion_group, criterion_main, Criterion};
use integration_tests::moto::moto_registry;
use shared::api::{route, Api, ApiRequest, ApiSettings, NoMirror};
use shared::policy::Policy;
use shared::registry::{Commitment, Contacts, DynamoRegistry, Holder, Registry};
use std::hint::black_box;
use std::time::Duration;

fn api(runtime: &tokio::runtime::Runtime) -> Api<DynamoRegistry, NoMirror> {
    let registry = runtime.block_on(moto_registry());
    let api = Api::new(
        registry,
        NoMirror,
        Policy::default(),
        ApiSettings::default(),
    );
    let taken = Commitment {
        username: Policy::default().evaluate("Melody_Rivers").unwrap(),
        holder: Holder::unkeyed("melody", false),
        sub: "sub-melody".into(),
        verified: Contacts::none(),
    };
    runtime.block_on(api.registry.commit(&taken, 0)).unwrap();
    api
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let api = api(&runtime);
    let mut group = c.benchmark_group("availability");
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(50);

    let free = Policy::default().evaluate("Harmony_Smith").unwrap();
    group.bench_function("get_item", |b| {
        b.iter(|| {
            let entry = runtime.block_on(api.registry.get(black_box(free.key())));
            assert!(entry.unwrap().is_none());
        })
    });
    for (label, path, suggested) in [
        ("free", "/v1/usernames/Harmony_Smith", false),
        (
            "taken_with_suggestions",
            "/v1/usernames/melody_rivers",
            true,
        ),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| {
                let answer = runtime.block_on(route(
                    &api,
                    ApiRequest {
                        method: "GET",
                        path: black_box(path),
                        ..Default::default()
                    },
                ));
                assert_eq!(answer.status, 200);
                // The measured path is the one named: a taken name answered with its suggestions.
                let suggestions = answer.body["suggestions"].as_array().map_or(0, Vec::len);
                assert_eq!(suggestions > 0, suggested, "{:?}", answer.body);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
