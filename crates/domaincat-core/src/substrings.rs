//! Naming pivots: domains whose names share a long enough common substring.
//!
//! Actors register names from templates (`1040-form-gov`, `1099-form-gov`), so a shared
//! run of characters is a pivot of its own. The rules follow Python's
//! `difflib.SequenceMatcher.find_longest_match` without junk heuristics, which is what
//! the original notebook uses: the longest common substring, ties going to the match that
//! starts earliest in the first name, then earliest in the second.
//!
//! Comparing every pair of n names costs n(n−1)/2 dynamic programs, which dominates
//! scoring from a few thousand domains on. Two labels share a substring of L characters
//! only if they share one of their windows of exactly L characters. An inverted index
//! from L-character windows to labels therefore finds the candidate pairs, and only
//! those run the dynamic program.

use std::collections::HashMap;

/// Longest label, in characters, that substring matching looks at: the maximum length
/// of a whole DNS name. Characters beyond it are ignored.
pub const MAX_LABEL_CHARS: usize = 253;

/// The part of a domain name that substring matching looks at: the text before the first
/// `.`, with every occurrence of each ignored substring removed (in the given order), as
/// characters, at most [`MAX_LABEL_CHARS`] of them.
pub fn matching_label(domain: &str, ignore_substrings: &[String]) -> Vec<char> {
    let mut label = domain.split('.').next().unwrap_or_default().to_string();
    for ignore in ignore_substrings {
        if !ignore.is_empty() {
            label = label.replace(ignore.as_str(), "");
        }
    }
    // A DNS name is at most 253 characters, so longer labels come from broken or hostile
    // input; cutting them keeps pairwise matching at O(253²) per pair instead of letting
    // one 10,000-character label take minutes.
    label.chars().take(MAX_LABEL_CHARS).collect()
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
    let row = &mut row[..=b.len()];
    let (mut best_start, mut best_len) = (0, 0);
    for (i, &ca) in a.iter().enumerate() {
        for j in (0..b.len()).rev() {
            // Multiplying by the comparison instead of branching on it: whether two
            // characters match is close to random, and mispredicted branches made up
            // most of the time of this loop.
            let k = (row[j] + 1) * usize::from(b[j] == ca);
            row[j + 1] = k;
            // Matches are found in order of their end in `a`; among matches of one
            // length that is also the order of their start, so strictly greater keeps
            // the earliest. Where in `b` it starts does not change the text.
            if k > best_len {
                best_start = i + 1 - k;
                best_len = k;
            }
        }
    }
    (best_start, best_len)
}

/// Calls `visit(i, j, start, len)` for every pair of labels `i < j` whose longest common
/// substring has at least `min_len` characters, in `(i, j)` order, with that substring's
/// start in `labels[i]` and its length as [`longest_common_substring`] returns them.
/// Visits nothing when `min_len` is 0.
///
/// The result is the same as running [`longest_common_substring`] on every pair and
/// keeping those of length `min_len` or more, but only pairs that share a window of
/// `min_len` characters are compared. Costs O(c · L + Σ w) for the label characters c,
/// label length L and the w labels listed under each window, plus O(P · L²) for the P
/// candidate pairs.
pub fn common_substring_pairs(
    labels: &[Vec<char>],
    min_len: usize,
    mut visit: impl FnMut(usize, usize, usize, usize),
) {
    if min_len == 0 {
        return;
    }
    // Window ids per label, deduplicated; postings list the labels of each window in
    // ascending order because labels are indexed in order. The map is only looked up,
    // never iterated, so its order cannot reach the output.
    let mut window_ids: HashMap<&[char], u32> = HashMap::new();
    let mut postings: Vec<Vec<u32>> = Vec::new();
    let mut label_windows: Vec<Vec<u32>> = Vec::with_capacity(labels.len());
    for (i, label) in labels.iter().enumerate() {
        let mut ids: Vec<u32> = Vec::new();
        if label.len() >= min_len {
            for window in label.windows(min_len) {
                let next_id = postings.len() as u32;
                let id = *window_ids.entry(window).or_insert(next_id);
                if id == next_id {
                    postings.push(Vec::new());
                }
                ids.push(id);
            }
            ids.sort_unstable();
            ids.dedup();
            for &id in &ids {
                postings[id as usize].push(i as u32);
            }
        }
        label_windows.push(ids);
    }
    drop(window_ids);

    let mut seen = vec![u32::MAX; labels.len()];
    let mut candidates: Vec<u32> = Vec::new();
    let mut row = Vec::new();
    for (i, ids) in label_windows.iter().enumerate() {
        candidates.clear();
        for &id in ids {
            let list = &postings[id as usize];
            let later = list.partition_point(|&j| j as usize <= i);
            for &j in &list[later..] {
                if seen[j as usize] != i as u32 {
                    seen[j as usize] = i as u32;
                    candidates.push(j);
                }
            }
        }
        candidates.sort_unstable();
        for &j in &candidates {
            let (start, len) = longest_common_substring(&labels[i], &labels[j as usize], &mut row);
            if len >= min_len {
                visit(i, j as usize, start, len);
            }
        }
    }
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

    /// Compares every pair, as the original does.
    fn all_pairs(labels: &[Vec<char>], min_len: usize) -> Vec<(usize, usize, usize, usize)> {
        let mut found = Vec::new();
        let mut row = Vec::new();
        for i in 0..labels.len() {
            for j in i + 1..labels.len() {
                let (start, len) = longest_common_substring(&labels[i], &labels[j], &mut row);
                if min_len > 0 && len >= min_len {
                    found.push((i, j, start, len));
                }
            }
        }
        found
    }

    fn indexed_pairs(labels: &[Vec<char>], min_len: usize) -> Vec<(usize, usize, usize, usize)> {
        let mut found = Vec::new();
        common_substring_pairs(labels, min_len, |i, j, start, len| {
            found.push((i, j, start, len))
        });
        found
    }

    #[test]
    fn index_finds_same_pairs_as_all_pairs() {
        let labels: Vec<Vec<char>> = [
            "paypal-login-help",
            "paypal-login-verify",
            "secure-paypal12",
            "xyzzy",
            "",
            "login-paypal",
            "ÿÿÿÿÿÿÿ",
            "aÿÿÿÿÿÿÿb",
            "aaaaaaaaaaaa",
            "aaaaaa",
        ]
        .iter()
        .map(|s| s.chars().collect())
        .collect();
        for min_len in 0..9 {
            assert_eq!(
                indexed_pairs(&labels, min_len),
                all_pairs(&labels, min_len),
                "min_len {min_len}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn index_matches_all_pairs_on_random_labels(
            words in proptest::collection::vec("[ab-]{0,12}", 0..25),
            min_len in 1usize..6,
        ) {
            let labels: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
            proptest::prop_assert_eq!(indexed_pairs(&labels, min_len), all_pairs(&labels, min_len));
        }
    }

    #[test]
    fn label_is_cut_at_dns_name_length() {
        let long = format!("{}.com", "a".repeat(10_000));
        assert_eq!(matching_label(&long, &[]).len(), MAX_LABEL_CHARS);
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
