//! Host names as Python encodes them before the resolver sees them: its `idna`
//! codec (IDNA 2003: nameprep, then punycode with the `xn--` prefix), with the
//! codec's checks and messages, and the two ways the socket module applies it:
//! - getaddrinfo and the gethostby* calls encode every `str` host with the codec
//!   (`encode`, `encode_arg`), so an ASCII name with an empty label fails;
//! - address arguments (`bind(('host', port))`) pass an ASCII name as it is and
//!   encode only the others (`converter`), failing with a TypeError.

use std::borrow::Cow;

use stringprep::tables;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{Error, Result};

/// The separators the codec splits non-ASCII names on: `.`, `。`, `．`, `｡`.
const DOTS: [char; 4] = ['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'];

/// A UnicodeError of the codec, as getaddrinfo reports it (a ValueError).
fn codec_error(msg: &str) -> Error {
    Error::value(format!("encoding with 'idna' codec failed (UnicodeError: {msg})"))
}

fn check_length(label: &[u8]) -> std::result::Result<(), &'static str> {
    if label.is_empty() || label.len() >= 64 {
        Err("label empty or too long")
    } else {
        Ok(())
    }
}

/// Python's `str.encode('idna')`.
pub fn encode(input: &str) -> Result<String> {
    encode_inner(input).map_err(|m| codec_error(&m))
}

fn encode_inner(input: &str) -> std::result::Result<String, String> {
    if input.is_ascii() {
        let mut labels = input.split('.').peekable();
        while let Some(label) = labels.next() {
            if labels.peek().is_some() {
                check_length(label.as_bytes())?;
            } else if label.len() >= 64 {
                return Err("label too long".into());
            }
        }
        return Ok(input.to_string());
    }
    let mut labels: Vec<&str> = input.split(DOTS).collect();
    let trailing_dot = labels.last() == Some(&"");
    if trailing_dot {
        labels.pop();
    }
    let mut out = String::new();
    for label in labels {
        if !out.is_empty() {
            out.push('.');
        }
        out += &to_ascii(label)?;
    }
    if trailing_dot {
        out.push('.');
    }
    Ok(out)
}

/// RFC 3490's ToASCII, as Python's codec does it (AllowUnassigned, no STD3 rules).
fn to_ascii(label: &str) -> std::result::Result<String, String> {
    if label.is_ascii() {
        check_length(label.as_bytes())?;
        return Ok(label.to_string());
    }
    let label = nameprep(label)?;
    if label.is_ascii() {
        check_length(label.as_bytes())?;
        return Ok(label);
    }
    if label.starts_with("xn--") {
        return Err("Label starts with ACE prefix".into());
    }
    let ace = format!("xn--{}", punycode(&label));
    check_length(ace.as_bytes())?;
    Ok(ace)
}

/// RFC 3491's nameprep, with Python's checks and messages.
fn nameprep(label: &str) -> std::result::Result<String, String> {
    let mapped = label
        .chars()
        .filter(|&c| !tables::commonly_mapped_to_nothing(c))
        .flat_map(case_fold);
    let label = nfkc_3_2(mapped);
    let prohibited = |c: char| {
        tables::non_ascii_space_character(c)
            || tables::non_ascii_control_character(c)
            || tables::private_use(c)
            || tables::non_character_code_point(c)
            || tables::surrogate_code(c)
            || tables::inappropriate_for_plain_text(c)
            || tables::inappropriate_for_canonical_representation(c)
            || tables::change_display_properties_or_deprecated(c)
            || tables::tagging_character(c)
    };
    if let Some(c) = label.chars().find(|&c| prohibited(c)) {
        return Err(format!("Invalid character {}", char_repr(c)));
    }
    let rand_al: Vec<bool> = label.chars().map(bidi_r_or_al).collect();
    if rand_al.iter().any(|&r| r) {
        if label.chars().any(bidi_l) {
            return Err("Violation of BIDI requirement 2".into());
        }
        if rand_al.first() != Some(&true) || rand_al.last() != Some(&true) {
            return Err("Violation of BIDI requirement 3".into());
        }
    }
    Ok(label)
}

/// Table B.2's case folding as Python's `stringprep.map_table_b2` does it: the
/// table for a character Unicode 3.2 has; for one it has not, today's
/// lowercase, then the table (`'ẞ'` folds to `'ss'`, as in Python).
fn case_fold(c: char) -> Vec<char> {
    if tables::unassigned_code_point(c) {
        c.to_lowercase().flat_map(tables::case_fold_for_nfkc).collect()
    } else {
        tables::case_fold_for_nfkc(c).collect()
    }
}

/// NFKC as Python's `unicodedata.ucd_3_2_0` does it for nameprep: a character
/// Unicode 3.2 does not have (table A.1) is not decomposed, but keeps today's
/// combining class in the canonical ordering; the rest is today's NFKC.
/// (Today's NFKC would turn `'︙'`, new in Unicode 4.1, into `'...'`, three
/// label separators.) Such a character that is a starter ends the run before
/// it, which is normalized on its own: nothing reorders across a starter, and
/// it composes with nothing in 3.2.
fn nfkc_3_2(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in chars {
        if !tables::unassigned_code_point(c) {
            run.extend(std::iter::once(c).nfkd());
        } else if canonical_combining_class(c) != 0 {
            run.push(c);
        } else {
            out.extend(run.nfc());
            run.clear();
            out.push(c);
        }
    }
    out.extend(run.nfc());
    out
}

/// Table D.1 (R and AL) and D.2 (L) as Unicode 3.2 has them: a character 3.2
/// does not have is in neither.
fn bidi_r_or_al(c: char) -> bool {
    !tables::unassigned_code_point(c) && tables::bidi_r_or_al(c)
}

fn bidi_l(c: char) -> bool {
    !tables::unassigned_code_point(c) && tables::bidi_l(c)
}

/// Python's `repr()` of a one-character string.
fn char_repr(c: char) -> String {
    let printable = c == ' '
        || !matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::Surrogate
                | GeneralCategory::PrivateUse
                | GeneralCategory::Unassigned
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
                | GeneralCategory::SpaceSeparator
        );
    let code = u32::from(c);
    match c {
        '\'' => "\"'\"".to_string(),
        '\\' => "'\\\\'".to_string(),
        '\t' => "'\\t'".to_string(),
        '\n' => "'\\n'".to_string(),
        '\r' => "'\\r'".to_string(),
        _ if printable => format!("'{c}'"),
        _ if code <= 0xff => format!("'\\x{code:02x}'"),
        _ if code <= 0xffff => format!("'\\u{code:04x}'"),
        _ => format!("'\\U{code:08x}'"),
    }
}

/// RFC 3492's Punycode encoding of one label (Python's `punycode` codec).
fn punycode(input: &str) -> String {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    const INITIAL_BIAS: u32 = 72;
    const INITIAL_N: u32 = 128;

    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta /= if first { DAMP } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u32) -> char {
        let b = if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        };
        char::from(b)
    }

    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    let total = code_points.len() as u32;
    while handled < total {
        // The smallest code point not handled yet; one exists while handled < total.
        let m = code_points.iter().copied().filter(|&c| c >= n).min().unwrap_or(n);
        // A label is at most a few hundred characters, so these cannot overflow u32.
        delta = delta.saturating_add((m - n).saturating_mul(handled + 1));
        n = m;
        for &c in &code_points {
            if c < n {
                delta = delta.saturating_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.saturating_add(1);
        n += 1;
    }
    out
}

/// A host argument of getaddrinfo or the gethostby* calls (Python's `et`
/// format with the idna codec): a `str` encoded, bytes as they are; a NUL
/// byte is a TypeError naming the call.
pub fn encode_arg(host: &str, is_bytes: bool, caller: &str) -> Result<String> {
    let encoded = if is_bytes { host.to_string() } else { encode(host)? };
    if encoded.contains('\0') {
        let kind = if is_bytes { "bytes" } else { "str" };
        return Err(Error::type_error(format!(
            "{caller}() argument 1 must be encoded string without null bytes, not {kind}"
        )));
    }
    Ok(encoded)
}

/// The host of an address argument (Python's `idna_converter`): ASCII as is,
/// anything else through the codec.
pub fn converter(host: &str) -> Result<Cow<'_, str>> {
    let host = if host.is_ascii() {
        Cow::Borrowed(host)
    } else {
        Cow::Owned(encode_inner(host).map_err(|_| Error::type_error("encoding of hostname failed"))?)
    };
    if host.contains('\0') {
        return Err(Error::type_error("host name must not contain null character"));
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<String>) -> String {
        match r {
            Ok(s) => s,
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn ascii_names_pass_with_label_checks() {
        assert_eq!(msg(encode("localhost")), "localhost");
        assert_eq!(msg(encode("Example.COM.")), "Example.COM.");
        assert_eq!(msg(encode("")), "");
        assert_eq!(
            msg(encode("a..b")),
            "encoding with 'idna' codec failed (UnicodeError: label empty or too long)"
        );
        assert_eq!(
            msg(encode(&"a".repeat(64))),
            "encoding with 'idna' codec failed (UnicodeError: label too long)"
        );
    }

    // Expected values from python3: 'bücher.example'.encode('idna'), and so on.
    #[test]
    fn punycode_as_python() {
        assert_eq!(msg(encode("bücher.example")), "xn--bcher-kva.example");
        assert_eq!(msg(encode("München")), "xn--mnchen-3ya");
        assert_eq!(msg(encode("日本語。jp")), "xn--wgv71a119e.jp");
        assert_eq!(msg(encode("ü")), "xn--tda");
        assert_eq!(msg(encode("straße.de")), "strasse.de");
        assert_eq!(msg(encode("１２７。０。０。１")), "127.0.0.1");
        assert_eq!(
            msg(encode("παράδειγμα.δοκιμή")),
            "xn--hxajbheg2az3al.xn--jxalpdlp"
        );
        assert_eq!(msg(encode("ü.")), "xn--tda.");
    }

    // Characters Unicode 3.2 does not have, which Python's nameprep (Unicode
    // 3.2) neither decomposes nor composes; expected values from python3.
    #[test]
    fn characters_newer_than_unicode_3_2_as_python() {
        assert_eq!(msg(encode("\u{FE19} \u{c}\0\0\0")), "xn-- \u{c}\0\0\0-l813a");
        assert_eq!(msg(encode("a\u{FE19}b")), "xn--ab-y82n");
        assert_eq!(msg(encode("\u{2150}")), "xn--93g");
        assert_eq!(msg(encode("bü\u{2150}")), "xn--b-eha249v");
        assert_eq!(msg(encode("\u{1E9E}")), "ss");
        assert_eq!(msg(encode("\u{358}\u{301}")), "xn--lsa8o");
        assert_eq!(msg(encode("a\u{5C6}")), "xn--a-ghc");
        assert_eq!(msg(encode("a\u{FA2E}")), "xn--a-rm8h");
    }

    #[test]
    fn nameprep_errors_as_python() {
        assert_eq!(
            msg(encode("xn--ü")),
            "encoding with 'idna' codec failed (UnicodeError: Label starts with ACE prefix)"
        );
        assert_eq!(
            msg(encode("\u{5d0}a")),
            "encoding with 'idna' codec failed (UnicodeError: Violation of BIDI requirement 2)"
        );
        assert_eq!(
            msg(encode("\u{5d0}1")),
            "encoding with 'idna' codec failed (UnicodeError: Violation of BIDI requirement 3)"
        );
        let invalid =
            |c: &str| format!("encoding with 'idna' codec failed (UnicodeError: Invalid character {c})");
        assert_eq!(msg(encode("a\u{200e}b")), invalid("'\\u200e'"));
        assert_eq!(msg(encode("a\u{e000}b")), invalid("'\\ue000'"));
        assert_eq!(msg(encode("a\u{fffd}b")), invalid("'\u{fffd}'"));
        assert_eq!(msg(encode("a\u{2ff0}b")), invalid("'\u{2ff0}'"));
        assert_eq!(msg(encode("a\u{e0001}")), invalid("'\\U000e0001'"));
        assert_eq!(msg(encode("a\u{85}b")), invalid("'\\x85'"));
        // NFKC makes U+3000 an ASCII space, which nameprep allows.
        assert_eq!(msg(encode("a\u{3000}b")), "a b");
        assert_eq!(
            msg(encode(&"ü".repeat(60))),
            "encoding with 'idna' codec failed (UnicodeError: label empty or too long)"
        );
    }

    #[test]
    fn converter_passes_ascii_and_rejects_nul() {
        assert_eq!(converter("a..b").ok().as_deref(), Some("a..b"));
        assert_eq!(converter("bücher").ok().as_deref(), Some("xn--bcher-kva"));
        let err = converter("\u{5d0}a").err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("encoding of hostname failed"));
        let err = converter("local\0host").err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("host name must not contain null character"));
    }
}
