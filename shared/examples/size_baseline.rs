//! Binary-size baseline for `scripts/binary-size`: the same I/O as `size_policy` with only
//! `str::to_lowercase`, so the difference between the two stripped binaries is the policy and
//! its Unicode tables.

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let folded = line.to_lowercase();
        println!("{} {}", folded.chars().count(), folded);
    }
}
