//! Binary-size probe for `scripts/binary-size`: checks each stdin line against the default
//! policy (compare with `size_baseline`).

use shared::policy::Policy;
use std::io::BufRead;

fn main() {
    let policy = Policy::default();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        match policy.evaluate(&line) {
            Ok(name) => println!("{} {}", name.display(), name.key()),
            Err(violation) => println!("{} {violation}", violation.code()),
        }
    }
}
