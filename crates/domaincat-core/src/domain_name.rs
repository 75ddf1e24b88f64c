//! Domain names of export records in one canonical ASCII form.
//!
//! The domain of a record is its identity: records with the same canonical name are
//! one domain (see [`crate::scoring`]), and the page and CLI look names up by it. An
//! export may spell one name in several ways, and an attacker who writes WHOIS or DNS
//! data can pick spellings that look alike but differ, or that hide characters. The
//! rules, in order:
//!
//! 1. Surrounding white space is trimmed, and the ideographic and fullwidth full stops
//!    (U+3002, U+FF0E, U+FF61) count as dots, as IDNA (UTS #46) maps them.
//! 2. One trailing dot is dropped, and letters are lowercased with Unicode's default
//!    case mapping, so `Example.COM.` is `example.com`.
//! 3. Invisible characters that UTS #46 maps to nothing are removed. These are the soft
//!    hyphen, combining grapheme joiner, Mongolian variation selectors, zero-width space,
//!    word joiner, variation selectors and byte order mark, plus ZWNJ and ZWJ, which its
//!    transitional processing removes. The caller reports the removal, because it joins
//!    a look-alike with the name it imitates.
//! 4. A name that still contains a control character, white space, a bidirectional
//!    control (such as U+202E, which reverses the text shown), another invisible
//!    formatting character, or an ASCII character other than letters, digits, `-`, `_`
//!    and `.` is rejected. So is a name with an empty label.
//! 5. Each label with non-ASCII characters is converted to its punycode form
//!    (`bücher` becomes `xn--bcher-kva`), so the Unicode and `xn--` spellings of a name
//!    are one domain, shown in the ASCII form that DNS and Iris use. Mixed-script
//!    look-alikes such as Cyrillic `аррӏе.com` then read as `xn--80ak6aa92e.com` and
//!    cannot pass for the Latin name.
//! 6. A label longer than 63 octets or a name longer than 253 octets in that form is
//!    rejected, as DNS does not allow them.
//!
//! Every accepted name is therefore lowercase ASCII letters, digits, `-`, `_` and dots.
//!
//! NOTE: the rest of UTS #46 is not applied: there is no NFC normalization and no
//! mapping of compatibility characters, so a decomposed `u` + U+0308 gets a different
//! `xn--` form than the composed `ü`. Existing `xn--` labels are kept as written and not
//! checked for valid punycode.

use std::fmt;

use crate::domain_list::{punycode_encode, MAX_LABEL_LENGTH, MAX_NAME_LENGTH};

/// A name in canonical form and what normalization changed beyond case, white space and
/// the trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalName {
    /// Lowercase ASCII name without a trailing dot.
    pub name: String,
    /// Invisible characters were removed.
    pub removed_invisible: bool,
    /// At least one label was converted from Unicode to punycode.
    pub converted_to_punycode: bool,
}

/// Reason a text cannot be a domain name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("no name in it")]
    Empty,
    #[error("it has the invalid character {}", CodePoint(*.0))]
    InvalidCharacter(char),
    #[error("it has an empty label (two dots in a row, or a leading dot)")]
    EmptyLabel,
    #[error("it has a label of {0} characters, at most 63 are allowed")]
    LabelTooLong(usize),
    #[error("it has {0} characters, at most 253 are allowed")]
    NameTooLong(usize),
    #[error("a label cannot be converted to punycode")]
    Punycode,
}

/// A character shown with its code point, so that invisible ones can be seen.
struct CodePoint(char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X} {:?}", u32::from(self.0), self.0)
    }
}

/// Converts `raw` to its canonical form by the rules of this module.
///
/// # Errors
/// [`NameError`] names the first rule the text breaks.
pub fn canonical_name(raw: &str) -> Result<CanonicalName, NameError> {
    let dotted: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => '.',
            other => other,
        })
        .collect();
    let lowered = dotted.strip_suffix('.').unwrap_or(&dotted).to_lowercase();

    let mut removed_invisible = false;
    let mut visible = String::with_capacity(lowered.len());
    for c in lowered.chars() {
        if is_ignored_invisible(c) {
            removed_invisible = true;
            continue;
        }
        if is_rejected(c) {
            return Err(NameError::InvalidCharacter(c));
        }
        visible.push(c);
    }
    if visible.is_empty() {
        return Err(NameError::Empty);
    }

    let mut converted_to_punycode = false;
    let mut name = String::with_capacity(visible.len());
    for (position, label) in visible.split('.').enumerate() {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        if position > 0 {
            name.push('.');
        }
        let start = name.len();
        if label.is_ascii() {
            name.push_str(label);
        } else {
            // A label longer than DNS allows is rejected before encoding, which keeps the
            // encoder's quadratic cost bounded.
            if label.len() > 4 * MAX_LABEL_LENGTH {
                return Err(NameError::LabelTooLong(label.chars().count()));
            }
            let encoded = punycode_encode(label).ok_or(NameError::Punycode)?;
            name.push_str("xn--");
            name.push_str(&encoded);
            converted_to_punycode = true;
        }
        let label_length = name.len() - start;
        if label_length > MAX_LABEL_LENGTH {
            return Err(NameError::LabelTooLong(label_length));
        }
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(NameError::NameTooLong(name.len()));
    }
    Ok(CanonicalName {
        name,
        removed_invisible,
        converted_to_punycode,
    })
}

/// Invisible characters that IDNA maps to nothing (UTS #46 status "ignored", plus ZWNJ
/// and ZWJ, which its transitional processing removes).
fn is_ignored_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Characters no accepted name may contain once invisible ones are removed.
fn is_rejected(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    }
    c.is_control()
        || c.is_whitespace()
        || matches!(
            c,
            // Bidirectional controls: marks, embeddings, overrides and isolates.
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                // Other invisible formatting characters.
                | '\u{180E}'
                | '\u{2061}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &str) -> String {
        canonical_name(raw)
            .unwrap_or_else(|err| panic!("{raw:?} rejected: {err}"))
            .name
    }

    #[test]
    fn case_space_and_trailing_dot_are_dropped() {
        assert_eq!(name(" Example.COM. "), "example.com");
        assert_eq!(name("example\u{3002}com"), "example.com");
        assert_eq!(name("a_b.example.com"), "a_b.example.com");
    }

    #[test]
    fn unicode_and_punycode_forms_agree() {
        // RFC 3492 and IANA test names.
        assert_eq!(name("bücher.de"), "xn--bcher-kva.de");
        assert_eq!(name("BÜCHER.DE."), "xn--bcher-kva.de");
        assert_eq!(name("xn--bcher-kva.de"), "xn--bcher-kva.de");
        assert_eq!(name("münchen.de"), "xn--mnchen-3ya.de");
        assert_eq!(name("例え.テスト"), "xn--r8jz45g.xn--zckzah");
        let converted = canonical_name("bücher.de").expect("valid name");
        assert!(converted.converted_to_punycode);
        assert!(!converted.removed_invisible);
    }

    #[test]
    fn cyrillic_look_alike_keeps_its_own_form() {
        assert_eq!(name("аррӏе.com"), "xn--80ak6aa92e.com");
    }

    #[test]
    fn zero_width_characters_are_removed_and_flagged() {
        let result = canonical_name("pay\u{200B}pal\u{200D}.com\u{FEFF}").expect("valid");
        assert_eq!(result.name, "paypal.com");
        assert!(result.removed_invisible);
        assert!(!result.converted_to_punycode);
    }

    #[test]
    fn hostile_names_are_rejected() {
        let cases = [
            ("", NameError::Empty),
            ("  ", NameError::Empty),
            (".", NameError::Empty),
            ("\u{200B}", NameError::Empty),
            ("a..com", NameError::EmptyLabel),
            (".a.com", NameError::EmptyLabel),
            ("a.com..", NameError::EmptyLabel),
            (
                "\u{202E}moc.lapyap",
                NameError::InvalidCharacter('\u{202E}'),
            ),
            ("a\u{200F}.com", NameError::InvalidCharacter('\u{200F}')),
            ("a b.com", NameError::InvalidCharacter(' ')),
            ("a\u{0}.com", NameError::InvalidCharacter('\u{0}')),
            ("<img src=x>.com", NameError::InvalidCharacter('<')),
            ("javascript:alert(1)", NameError::InvalidCharacter(':')),
            ("a|b.com", NameError::InvalidCharacter('|')),
            ("é\u{2028}.com", NameError::InvalidCharacter('\u{2028}')),
        ];
        for (raw, expected) in cases {
            assert_eq!(canonical_name(raw), Err(expected), "{raw:?}");
        }
    }

    #[test]
    fn overlong_labels_and_names_are_rejected() {
        let long_label = format!("{}.com", "a".repeat(64));
        assert_eq!(
            canonical_name(&long_label),
            Err(NameError::LabelTooLong(64))
        );
        let long_unicode = format!("{}.com", "é".repeat(10_000));
        assert!(matches!(
            canonical_name(&long_unicode),
            Err(NameError::LabelTooLong(_))
        ));
        let label = "a".repeat(63);
        let long_name = [label.as_str(); 5].join(".");
        assert_eq!(canonical_name(&long_name), Err(NameError::NameTooLong(319)));
        let longest = [label.as_str(), &label, &label, &"a".repeat(61)].join(".");
        assert_eq!(name(&longest).len(), 253);
    }

    #[test]
    fn invalid_character_message_shows_code_point() {
        let error = canonical_name("a\u{202E}.com").expect_err("bidi control");
        assert_eq!(
            error.to_string(),
            "it has the invalid character U+202E '\\u{202e}'"
        );
    }
}
