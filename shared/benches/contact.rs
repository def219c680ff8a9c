//! What the keyed contact hash costs: setting the key up (once, at init) and hashing one email
//! (once per sign-up with an email), each next to a plain SHA-256 of the same email, the baseline
//! the figures are divided by (docs/performance.md).

use criterion::{criterion_group, criterion_main, Criterion};
use sha2::{Digest, Sha256};
use shared::registry::ContactKey;
use std::hint::black_box;

const SECRET: &str = "Zq3x9T1vB7nR2mK8pL4wY6cH0jF5sD2aG7uE1iO3bN9tV4xQ8rM6kJ0hW2yP5zC1";
const EMAIL: &str = "Melody.Rivers@Example.com";

fn contact_hash(c: &mut Criterion) {
    let mut group = c.benchmark_group("contact_hash");
    group.bench_function("baseline_sha256_of_the_email", |b| {
        b.iter(|| Sha256::digest(black_box(EMAIL).as_bytes()))
    });
    group.bench_function("key_setup_at_init", |b| {
        b.iter(|| ContactKey::new(black_box(SECRET).as_bytes().to_vec()))
    });
    let key = ContactKey::new(SECRET.as_bytes().to_vec()).expect("a long enough key");
    group.bench_function("hash_one_email", |b| b.iter(|| key.email(black_box(EMAIL))));
    group.finish();
}

criterion_group!(benches, contact_hash);
criterion_main!(benches);
