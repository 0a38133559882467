//! "Did you mean": the closest of some names to a word that matched none of them.

/// The name closest to `word` (one edit away for a short word, two for a longer one, or a
/// prefix either way), if any.
pub fn closest<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let limit = if w.chars().count() <= 4 { 1 } else { 2 };
    names
        .iter()
        .map(|&n| (distance(&w, n), n))
        .filter(|&(d, n)| d <= limit || (w.len() >= 3 && (n.starts_with(&w) || w.starts_with(n))))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// Levenshtein distance, counting a swap of two neighbours (`exlpain`) as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// For a path that does not exist and looks like a word, not a file name (no `.`, no
/// separator), the subcommand it was probably meant to be.
pub fn subcommand_for<'a>(path: &std::path::Path, subcommands: &[&'a str]) -> Option<&'a str> {
    let word = path.to_str()?;
    let wordlike = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !wordlike || word.starts_with('-') || path.exists() {
        return None;
    }
    closest(word, subcommands)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["rules", "explain", "graph", "completions", "man"];

    #[test]
    fn typos_and_prefixes_find_their_name() {
        assert_eq!(closest("rule", NAMES), Some("rules"));
        assert_eq!(closest("exlpain", NAMES), Some("explain"));
        assert_eq!(closest("explian", NAMES), Some("explain"));
        assert_eq!(closest("completion", NAMES), Some("completions"));
        assert_eq!(closest("gaph", NAMES), Some("graph"));
        assert_eq!(closest("a", NAMES), None);
        assert_eq!(closest("infrastructure", NAMES), None);
        assert_eq!(closest("templates", NAMES), None);
    }

    #[test]
    fn file_names_are_not_words() {
        let p = std::path::Path::new;
        assert_eq!(subcommand_for(p("rule"), NAMES), Some("rules"));
        assert_eq!(subcommand_for(p("rule.yaml"), NAMES), None);
        assert_eq!(subcommand_for(p("infra/rule"), NAMES), None);
        assert_eq!(subcommand_for(p("-"), NAMES), None);
    }
}
