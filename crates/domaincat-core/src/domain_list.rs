//! Pasted domain lists: free text to the clean, unique, ASCII domain names that an Iris
//! Investigate query accepts, plus the entries that were rejected and why.
//!
//! Analysts paste from reports, tickets, spreadsheets and threat feeds, so an entry may be
//! quoted, defanged (`example[.]com`, `hxxps://`), a URL or an e-mail address. Each entry
//! is reduced to its host name, lowercased and converted to punycode, because the API
//! matches ASCII names only. Entries that cannot be a domain name are returned with a
//! reason and never sent.
//!
//! Internationalised names: labels are lowercased with Unicode's default case mapping,
//! the ideographic and fullwidth full stops (U+3002, U+FF0E, U+FF61) count as dots, and
//! each non-ASCII label is encoded with RFC 3492 punycode. That covers names typed in
//! their usual form. The rest of the UTS-46 mapping is not done, so there is no NFC
//! normalisation, no mapping of fullwidth letters or compatibility characters, and no
//! Bidi, CONTEXTJ or disallowed-code-point checks. A name that depends on those gets a
//! different (usually non-existent) `xn--` form, and Iris returns it under
//! `missing_domains`.

use std::collections::HashSet;
use std::fmt;

/// Maximum number of domains in one Iris Investigate request, as the API documents.
pub const MAX_DOMAINS_PER_REQUEST: usize = 100;

/// Maximum length of one label in octets (RFC 1035, section 2.3.4).
pub const MAX_LABEL_LENGTH: usize = 63;

/// Maximum length of a name without its trailing dot, in octets. RFC 1035 allows 255 on
/// the wire, which is 253 in the dotted text form.
pub const MAX_NAME_LENGTH: usize = 253;

/// A cleaned list: the domains to query, in first-seen order, and what was left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainList {
    /// Unique ASCII domain names, lowercased, without a trailing dot.
    pub domains: Vec<String>,
    /// Entries that are not domain names, in input order.
    pub rejected: Vec<RejectedEntry>,
    /// How many entries repeated a domain already in `domains`.
    pub duplicates: usize,
}

impl DomainList {
    /// Splits the domains into request-sized groups of at most
    /// [`MAX_DOMAINS_PER_REQUEST`].
    pub fn batches(&self) -> std::slice::Chunks<'_, String> {
        self.domains.chunks(MAX_DOMAINS_PER_REQUEST)
    }
}

/// A pasted entry that is not sent, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedEntry {
    /// The entry as pasted, without surrounding quotes.
    pub entry: String,
    pub reason: RejectReason,
}

/// Reasons an entry is not a domain name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    #[error("no host name in it")]
    Empty,
    #[error("no dot, so not a full domain name")]
    NoDot,
    #[error("is an IP address, not a domain name")]
    IpAddress,
    #[error("invalid character {0:?}")]
    InvalidCharacter(char),
    #[error("empty label (two dots in a row, or a leading dot)")]
    EmptyLabel,
    #[error("label starts or ends with a hyphen")]
    HyphenAtLabelEdge,
    #[error("label of {0} characters; at most 63 are allowed")]
    LabelTooLong(usize),
    #[error("name of {0} characters; at most 253 are allowed")]
    NameTooLong(usize),
    #[error("top-level domain is all digits")]
    NumericTopLevel,
    #[error("label cannot be converted to punycode")]
    Punycode,
}

impl fmt::Display for RejectedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.entry, self.reason)
    }
}

/// Cleans a pasted list: one entry per line, or separated by commas, semicolons or
/// white space.
pub fn clean_domain_list(text: &str) -> DomainList {
    let mut list = DomainList::default();
    let mut seen = HashSet::new();
    for token in text.split(is_separator) {
        let entry = strip_quotes(token);
        if entry.is_empty() {
            continue;
        }
        match clean_entry(entry) {
            Ok(domain) => {
                if seen.insert(domain.clone()) {
                    list.domains.push(domain);
                } else {
                    list.duplicates += 1;
                }
            }
            Err(reason) => list.rejected.push(RejectedEntry {
                entry: entry.to_string(),
                reason,
            }),
        }
    }
    list
}

fn is_separator(c: char) -> bool {
    c == ',' || c == ';' || c.is_whitespace()
}

/// Removes quotes and angle brackets around an entry, as spreadsheets, JSON and mail
/// clients add them.
fn strip_quotes(token: &str) -> &str {
    token.trim_matches(|c| {
        matches!(
            c,
            '"' | '\'' | '`' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '<' | '>'
        )
    })
}

/// Reduces one entry to an ASCII domain name.
pub fn clean_entry(entry: &str) -> Result<String, RejectReason> {
    let refanged = refang(entry);
    let host = extract_host(&refanged);
    let host = host.trim_end_matches(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}']);
    if host.is_empty() {
        return Err(RejectReason::Empty);
    }

    if host.starts_with('[') || host.parse::<std::net::Ipv6Addr>().is_ok() {
        return Err(RejectReason::IpAddress);
    }
    let lowered = host.to_lowercase();
    let labels: Vec<&str> = lowered
        .split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'])
        .collect();
    if labels.len() < 2 {
        return Err(RejectReason::NoDot);
    }
    if labels.len() == 4 && labels.iter().all(|l| is_decimal(l)) {
        return Err(RejectReason::IpAddress);
    }

    let mut ascii = Vec::with_capacity(labels.len());
    for label in labels {
        ascii.push(label_to_ascii(label)?);
    }

    let name = ascii.join(".");
    if name.len() > MAX_NAME_LENGTH {
        return Err(RejectReason::NameTooLong(name.len()));
    }
    if ascii.last().is_some_and(|tld| is_decimal(tld)) {
        return Err(RejectReason::NumericTopLevel);
    }
    Ok(name)
}

fn is_decimal(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Undoes the usual ways of defanging indicators so that they cannot be clicked:
/// `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `[:]`, `[@]`, `hxxp` and `hxxps`.
fn refang(entry: &str) -> String {
    const REPLACEMENTS: [(&str, &str); 10] = [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("{dot}", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[@]", "@"),
        ("[at]", "@"),
    ];
    let mut text = entry.to_string();
    for (defanged, plain) in REPLACEMENTS {
        text = replace_ignore_ascii_case(&text, defanged, plain);
    }
    let lower = text.to_ascii_lowercase();
    for scheme in ["hxxps://", "hxxp://", "fxp://"] {
        if lower.starts_with(scheme) {
            // The schemes are ASCII, so their length is a char boundary in `text` too.
            let rest = &text[scheme.len()..];
            text = format!("http://{rest}");
            break;
        }
    }
    text
}

fn replace_ignore_ascii_case(text: &str, pattern: &str, replacement: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if !lower.contains(pattern) {
        return text.to_string();
    }
    // ASCII lowercasing keeps every byte offset, so offsets found in `lower` are valid
    // char boundaries in `text`.
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    while let Some(found) = lower[start..].find(pattern) {
        out.push_str(&text[start..start + found]);
        out.push_str(replacement);
        start += found + pattern.len();
    }
    out.push_str(&text[start..]);
    out
}

/// Returns the host part of a URL, an e-mail address or a `host/path` or `host:port` entry.
fn extract_host(entry: &str) -> &str {
    let mut rest = entry;
    if let Some(at) = rest.find("://") {
        rest = &rest[at + 3..];
    }
    if let Some(end) = rest.find(['/', '?', '#']) {
        rest = &rest[..end];
    }
    // User information in a URL, or the local part of an e-mail address.
    if let Some(at) = rest.rfind('@') {
        rest = &rest[at + 1..];
    }
    if rest.starts_with('[') {
        // A bracketed IPv6 literal keeps its colons.
        return rest;
    }
    if rest.matches(':').count() == 1 {
        if let Some(colon) = rest.find(':') {
            rest = &rest[..colon];
        }
    }
    rest
}

/// Checks one lowercased label and converts it to its ASCII form.
fn label_to_ascii(label: &str) -> Result<String, RejectReason> {
    if label.is_empty() {
        return Err(RejectReason::EmptyLabel);
    }
    let ascii = if label.is_ascii() {
        label.to_string()
    } else {
        if let Some(bad) = label
            .chars()
            .find(|&c| (c.is_ascii() && !is_ldh(c)) || c.is_whitespace() || c.is_control())
        {
            return Err(RejectReason::InvalidCharacter(bad));
        }
        let encoded = punycode_encode(label).ok_or(RejectReason::Punycode)?;
        format!("xn--{encoded}")
    };
    if let Some(bad) = ascii.chars().find(|&c| !is_ldh(c)) {
        return Err(RejectReason::InvalidCharacter(bad));
    }
    if ascii.starts_with('-') || ascii.ends_with('-') {
        return Err(RejectReason::HyphenAtLabelEdge);
    }
    if ascii.len() > MAX_LABEL_LENGTH {
        return Err(RejectReason::LabelTooLong(ascii.len()));
    }
    Ok(ascii)
}

/// Letters, digits and hyphen: the characters of host names (RFC 952, RFC 1123).
fn is_ldh(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

// RFC 3492, section 5: the parameters of punycode.
const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// Encodes a label with RFC 3492 punycode, without the `xn--` prefix. Returns `None` on
/// arithmetic overflow, which only labels far longer than DNS allows can reach.
pub fn punycode_encode(label: &str) -> Option<String> {
    let input: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic_count = u32::try_from(output.len()).ok()?;
    if basic_count > 0 {
        output.push('-');
    }

    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic_count;
    let total = u32::try_from(input.len()).ok()?;
    while handled < total {
        // The smallest code point not yet handled; one exists because handled < total.
        let m = input.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic_count);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn digit(value: u32) -> char {
    // Values are always below BASE here: 0–25 are a–z and 26–35 are 0–9.
    match value {
        0..=25 => char::from(b'a' + value as u8),
        _ => char::from(b'0' + (value - 26) as u8),
    }
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(text: &str) -> Vec<String> {
        clean_domain_list(text).domains
    }

    #[test]
    fn splits_on_lines_commas_spaces_semicolons() {
        let text = "a.com\nb.com, c.com; d.com\te.com\r\nf.com  g.com";
        assert_eq!(
            domains(text),
            ["a.com", "b.com", "c.com", "d.com", "e.com", "f.com", "g.com"]
        );
    }

    #[test]
    fn strips_quotes() {
        assert_eq!(
            domains("\"a.com\", 'b.com' `c.com` \u{201C}d.com\u{201D} <e.com>"),
            ["a.com", "b.com", "c.com", "d.com", "e.com"]
        );
    }

    #[test]
    fn refangs_defanged_forms() {
        let text = "example[.]com example(.)org example[dot]net EXAMPLE[DOT]info \
                    hxxp://a[.]example.com/x hxxps://b.example.com hXXps[:]//c.example.com \
                    user[@]mail[.]example.co.uk";
        assert_eq!(
            domains(text),
            [
                "example.com",
                "example.org",
                "example.net",
                "example.info",
                "a.example.com",
                "b.example.com",
                "c.example.com",
                "mail.example.co.uk"
            ]
        );
    }

    #[test]
    fn reduces_urls_and_emails_to_host() {
        let text = "https://www.Example.com/login?next=/#top \
                    http://user:pass@host.example.org:8080/path \
                    ftp://files.example.net \
                    admin@Mail.Example.COM \
                    example.biz/some/path \
                    example.info:443";
        assert_eq!(
            domains(text),
            [
                "www.example.com",
                "host.example.org",
                "files.example.net",
                "mail.example.com",
                "example.biz",
                "example.info"
            ]
        );
    }

    #[test]
    fn lowercases_and_drops_trailing_dot() {
        assert_eq!(
            domains("ExAmPle.COM. other.org"),
            ["example.com", "other.org"]
        );
    }

    #[test]
    fn removes_duplicates_keeping_first_order() {
        let list = clean_domain_list("b.com a.com B.com. hxxp://a[.]com c.com");
        assert_eq!(list.domains, ["b.com", "a.com", "c.com"]);
        assert_eq!(list.duplicates, 2);
    }

    #[test]
    fn converts_idn_to_punycode() {
        assert_eq!(
            domains("bücher.de MÜNCHEN.de 例え.テスト пример.рф"),
            [
                "xn--bcher-kva.de",
                "xn--mnchen-3ya.de",
                "xn--r8jz45g.xn--zckzah",
                "xn--e1afmkfd.xn--p1ai"
            ]
        );
    }

    #[test]
    fn ideographic_full_stop_is_a_dot() {
        assert_eq!(domains("例え\u{3002}テスト"), ["xn--r8jz45g.xn--zckzah"]);
    }

    #[test]
    fn punycode_matches_rfc_3492_samples() {
        // Samples (B) and (A) of RFC 3492, section 7.1. Every expected string was also
        // checked with Python's "punycode" codec.
        let chinese = "\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}";
        assert_eq!(
            punycode_encode(chinese).as_deref(),
            Some("ihqwcrb4cv8a8dqg056pqjye")
        );
        let arabic = "\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\
                      \u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}";
        assert_eq!(
            punycode_encode(arabic).as_deref(),
            Some("egbpdaj6bu4bxfgehfvwxn")
        );
        assert_eq!(punycode_encode("bücher").as_deref(), Some("bcher-kva"));
        assert_eq!(punycode_encode("abc").as_deref(), Some("abc-"));
    }

    #[test]
    fn rejects_non_domains_with_reason() {
        let cases = [
            ("localhost", RejectReason::NoDot),
            ("192.168.10.1", RejectReason::IpAddress),
            ("http://10.0.0.1/admin", RejectReason::IpAddress),
            ("2001:db8::1", RejectReason::IpAddress),
            ("http://[2001:db8::1]:8080/", RejectReason::IpAddress),
            ("bad_name.com", RejectReason::InvalidCharacter('_')),
            ("*.example.com", RejectReason::InvalidCharacter('*')),
            ("a..com", RejectReason::EmptyLabel),
            (".example.com", RejectReason::EmptyLabel),
            ("-a.com", RejectReason::HyphenAtLabelEdge),
            ("a-.com", RejectReason::HyphenAtLabelEdge),
            ("example.123", RejectReason::NumericTopLevel),
            ("https://", RejectReason::Empty),
            ("...", RejectReason::Empty),
        ];
        for (entry, reason) in cases {
            let list = clean_domain_list(entry);
            assert!(list.domains.is_empty(), "{entry} was accepted");
            assert_eq!(list.rejected.len(), 1, "{entry}");
            assert_eq!(list.rejected[0].entry, entry);
            assert_eq!(list.rejected[0].reason, reason, "{entry}");
        }
    }

    #[test]
    fn rejects_long_labels_and_names() {
        let label = "a".repeat(64);
        assert_eq!(
            clean_entry(&format!("{label}.com")),
            Err(RejectReason::LabelTooLong(64))
        );
        assert!(clean_entry(&format!("{}.com", "a".repeat(63))).is_ok());

        let long_name = vec!["a".repeat(63); 4].join(".");
        assert_eq!(long_name.len(), 255);
        assert_eq!(clean_entry(&long_name), Err(RejectReason::NameTooLong(255)));
        let longest = format!("{}.{}", vec!["a".repeat(63); 3].join("."), "a".repeat(61));
        assert_eq!(longest.len(), 253);
        assert!(clean_entry(&longest).is_ok());

        // The limit applies to the punycode form, not to the characters typed.
        let idn_label = "ü".repeat(60);
        assert!(matches!(
            clean_entry(&format!("{idn_label}.de")),
            Err(RejectReason::LabelTooLong(_))
        ));
    }

    #[test]
    fn keeps_order_of_rejected_entries() {
        let list = clean_domain_list("good.com nodot 1.2.3.4 also.good");
        assert_eq!(list.domains, ["good.com", "also.good"]);
        let rejected: Vec<&str> = list.rejected.iter().map(|r| r.entry.as_str()).collect();
        assert_eq!(rejected, ["nodot", "1.2.3.4"]);
    }

    #[test]
    fn empty_input_gives_empty_list() {
        assert_eq!(clean_domain_list(" \n,, ;\"\" "), DomainList::default());
    }

    #[test]
    fn batches_hold_at_most_100() {
        let text: Vec<String> = (0..250).map(|i| format!("d{i}.com")).collect();
        let list = clean_domain_list(&text.join("\n"));
        let sizes: Vec<usize> = list.batches().map(<[String]>::len).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(list.batches().next().map(|b| b[0].as_str()), Some("d0.com"));
    }

    #[test]
    fn rejected_entry_displays_reason() {
        let list = clean_domain_list("nodot");
        assert_eq!(
            list.rejected[0].to_string(),
            "nodot: no dot, so not a full domain name"
        );
    }
}
