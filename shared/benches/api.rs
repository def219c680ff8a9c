//! Criterion benchmark of the HTTP API's router on the memory store, on one core (a
//! current-thread runtime): availability of a free and of a taken name, and a rename (each
//! iteration a new user taking a new name, so every one is a real move). Requests per second are
//! 1 / the median time. Run with `cargo bench -p shared --bench api`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shared::api::{route, Api, ApiRequest, ApiSettings, Caller, NoMirror};
use shared::policy::Policy;
use shared::registry::{Commitment, Contacts, Holder, MemoryRegistry, Registry};
use std::hint::black_box;
use std::time::Duration;

fn api(runtime: &tokio::runtime::Runtime) -> Api<MemoryRegistry, NoMirror> {
    let api = Api::new(
        MemoryRegistry::new(),
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
    let mut group = c.benchmark_group("api");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    for (label, path) in [
        ("availability_free", "/v1/usernames/Harmony_Smith"),
        ("availability_taken", "/v1/usernames/melody_rivers"),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| {
                let answer = runtime.block_on(route(
                    &api,
                    ApiRequest {
                        method: "GET",
                        path: black_box(path),
                        caller: None,
                        body: b"",
                        ..Default::default()
                    },
                ));
                assert_eq!(answer.status, 200);
            })
        });
    }
    let mut n: u64 = 0;
    group.bench_function("rename", |b| {
        b.iter(|| {
            n += 1;
            let caller = Caller::new(format!("sub-{n}"));
            let body = format!("{{\"username\":\"member_{}\"}}", letters(n));
            let answer = runtime.block_on(route(
                &api,
                ApiRequest {
                    method: "PUT",
                    path: "/v1/me/username",
                    caller: Some(&caller),
                    body: black_box(body.as_bytes()),
                    ..Default::default()
                },
            ));
            assert_eq!(answer.status, 200);
        })
    });
    group.finish();
}

/// `n` in letters of which no sequence looks like another (no `rn`/`m`, `cl`/`d`, `vv`/`w`):
/// distinct names with distinct uniqueness keys, none that looks like a phone number.
fn letters(mut n: u64) -> String {
    const ALPHABET: &[u8] = b"aekst";
    let base = ALPHABET.len() as u64;
    let mut out = Vec::new();
    loop {
        out.push(ALPHABET[(n % base) as usize]);
        n /= base;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

criterion_group!(benches, bench);
criterion_main!(benches);
