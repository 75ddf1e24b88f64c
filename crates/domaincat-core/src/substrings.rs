//! Naming pivots: domains whose names share a long enough common substring.
//!
//! Actors register names from templates (`1040-form-gov`, `1099-form-gov`), so a shared
//! run of characters is a pivot of its own. The rules follow Python's
//! `difflib.SequenceMatcher.find_longest_match` without junk heuristics, which is what
//! the original notebook uses: the longest common substring, ties going to the match that
//! starts earliest in the first name, then earliest in the second.

/// The part of a domain name that substring matching looks at: the text before the first
/// `.`, with every occurrence of each ignored substring removed (in the given order),
/// as characters.
pub fn matching_label(domain: &str, ignore_substrings: &[String]) -> Vec<char> {
    let mut label = domain.split('.').next().unwrap_or_default().to_string();
    for ignore in ignore_substrings {
        if !ignore.is_empty() {
            label = label.replace(ignore.as_str(), "");
        }
    }
    label.chars().collect()
}

/// Finds the longest common substring of `a` and `b`.
///
/// Returns `(start in a, length)`; among several longest matches, the one starting
/// earliest in `a`, then earliest in `b`. Length 0 when nothing is shared.
///
/// Complexity: O(|a|·|b|) time, O(|b|) memory.
pub fn longest_common_substring(a: &[char], b: &[char], row: &mut Vec<usize>) -> (usize, usize) {
    // row[j + 1] is the length of the common suffix of a[..=i] and b[..=j]; it is updated
    // from right to left so one row is enough.
    row.clear();
    row.resize(b.len() + 1, 0);
    let (mut best_start, mut best_len) = (0, 0);
    for (i, &ca) in a.iter().enumerate() {
        for j in (0..b.len()).rev() {
            if b[j] == ca {
                let k = row[j] + 1;
                row[j + 1] = k;
                // Matches are found in order of their end in `a`; among matches of one
                // length that is also the order of their start, so strictly greater
                // keeps the earliest. Where in `b` it starts does not change the text.
                if k > best_len {
                    best_start = i + 1 - k;
                    best_len = k;
                }
            } else {
                row[j + 1] = 0;
            }
        }
    }
    (best_start, best_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcs(a: &str, b: &str) -> String {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let (start, len) = longest_common_substring(&a, &b, &mut Vec::new());
        a[start..start + len].iter().collect()
    }

    #[test]
    fn finds_longest_run() {
        assert_eq!(lcs("1040-form-gov", "1099-form-gov"), "-form-gov");
        assert_eq!(lcs("abc", "xyz"), "");
        assert_eq!(lcs("", "xyz"), "");
    }

    #[test]
    fn ties_go_to_earliest_in_first() {
        // "abc" and "xyz" both occur in b; "xyz" starts earlier in b, "abc" in a.
        assert_eq!(lcs("abc-xyz", "xyz-abc"), "abc");
        assert_eq!(lcs("xyz-abc", "abc-xyz"), "xyz");
    }

    #[test]
    fn unicode_counts_characters() {
        assert_eq!(lcs("ÿÿÿab", "xÿÿÿ"), "ÿÿÿ");
    }

    #[test]
    fn label_drops_suffix_and_ignored_text() {
        let ignore = vec!["-gov".to_string(), String::new()];
        let label: String = matching_label("irs-gov-gov.us", &ignore)
            .into_iter()
            .collect();
        assert_eq!(label, "irs");
    }
}
