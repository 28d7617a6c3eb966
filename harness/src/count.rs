//! Counts as every message writes them: `1 sequence`, `2 sequences`, never `2 sequence(s)`.

/// `n` and the noun, plural unless `n` is 1 (every noun hookcheck counts takes an `s`).
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(count(1u64, "finding"), "1 finding");
        assert_eq!(count(0u64, "invariant"), "0 invariants");
        assert_eq!(count(3u32, "effect count"), "3 effect counts");
    }
}
