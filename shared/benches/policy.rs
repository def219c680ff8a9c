//! Criterion benchmark of `Policy::evaluate` on typical ASCII names, international names and
//! 256-byte adversarial inputs. Each input is also timed under `str::to_lowercase`, the baseline
//! that `scripts/bench` divides by, so the figures travel between machines, and with the
//! inappropriate-name rule off (`USERNAMES_PROFANITY=off`), so the rule's cost is read in the same
//! run.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use shared::policy::{Policy, Profanity};
use std::hint::black_box;
use std::time::Duration;

const TYPICAL: &[(&str, &str)] = &[
    ("alice", "alice"),
    ("capitalised", "AliceSmith"),
    ("dotted", "john.smith"),
    ("digits", "agent007"),
    ("separators", "mary-jane_watson"),
    ("reserved", "admin"),
    ("too_short", "ab"),
    ("email", "alice@example.com"),
    ("domain", "paypal.com"),
    ("dotted_word", "jane.art"),
];

const INTERNATIONAL: &[(&str, &str)] = &[
    ("french", "Émilie_Dubois"),
    ("german", "straße"),
    ("russian", "Иван_Петров"),
    ("greek", "Σοφία"),
    ("hebrew", "שלום"),
    ("arabic", "محمد١٢"),
    ("arabic_vowelled", "مُحَمَّد"),
    ("hebrew_pointed", "שָׁלוֹם"),
    ("angstrom_sign", "\u{212b}sa"),
    ("hindi", "नमस्ते"),
    ("chinese", "王小明"),
    ("japanese", "山田たろう"),
    ("korean", "김민준"),
    ("cyrillic_lookalike", "сосо"),
    ("mixed_script", "pаypal"),
];

/// 256-byte inputs aimed at the expensive paths: normalisation, width mapping (which evaluates
/// the display form too), combining-mark stacks, confusable skeletons and long keys.
fn adversarial() -> Vec<(&'static str, String)> {
    let fill = |unit: &str| -> String {
        let mut s = String::new();
        while s.len() + unit.len() <= 256 {
            s.push_str(unit);
        }
        s
    };
    vec![
        ("ascii_256", fill("a")),
        ("ascii_257", "a".repeat(257)),
        ("fullwidth", fill("ａ")),
        ("decomposed", fill("e\u{301}")),
        ("mark_stack", fill("a\u{301}\u{302}\u{303}\u{304}")),
        ("cyrillic", fill("а")),
        ("han_4byte", fill("\u{20000}")),
        ("hangul_jamo", fill("\u{1100}\u{1161}")),
        ("zero_width", fill("a\u{200b}")),
        ("separators", fill("a.")),
        ("digits", fill("1")),
        ("arabic_bidi", fill("ب١")),
        ("arabic_marks", fill("بَ")),
        ("angstrom_signs", fill("\u{212b}")),
        ("math_bold", fill("𝐚")),
    ]
}

/// Names of `len` code points that pass every other rule and are the inappropriate-name rule's
/// expensive paths: many words (each looked up in the allow-list through its key), allowed words,
/// a key that differs from the display form (read twice), leetspeak digits.
fn content_worst(len: usize) -> Vec<(&'static str, String)> {
    let fill = |unit: &str| -> String { unit.chars().cycle().take(len).collect() };
    vec![
        ("content_words", fill("Ab_")),
        ("content_allowed", fill("Dick_Smith_")),
        ("content_key", fill("vvarn")),
        ("content_leet", fill("n1g3r4p5")),
    ]
}

fn bench_inputs(c: &mut Criterion, group_name: &str, policy: &Policy, inputs: &[(&str, String)]) {
    let without_content = policy.clone().with_profanity(Profanity::Off);
    let mut group = c.benchmark_group(group_name);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for (label, input) in inputs {
        group.bench_with_input(BenchmarkId::new("evaluate", label), input, |b, s| {
            b.iter(|| policy.evaluate(black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("profanity_off", label), input, |b, s| {
            b.iter(|| without_content.evaluate(black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("to_lowercase", label), input, |b, s| {
            b.iter(|| black_box(s).to_lowercase())
        });
    }
    group.finish();
}

fn owned(inputs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    inputs.iter().map(|(l, s)| (*l, s.to_string())).collect()
}

fn policy_benches(c: &mut Criterion) {
    let default = Policy::default();
    // The longest allowed maximum lets 256-byte inputs reach every rule instead of stopping at
    // the length check.
    let longest = Policy::default()
        .with_length_bounds(3, 64)
        .unwrap_or_default();
    bench_inputs(c, "typical", &default, &owned(TYPICAL));
    bench_inputs(c, "international", &default, &owned(INTERNATIONAL));
    let mut adversarial_32 = adversarial();
    adversarial_32.extend(content_worst(32));
    let mut adversarial_64 = adversarial();
    adversarial_64.extend(content_worst(64));
    bench_inputs(c, "adversarial", &default, &adversarial_32);
    bench_inputs(c, "adversarial_max64", &longest, &adversarial_64);
}

criterion_group!(benches, policy_benches);
criterion_main!(benches);
