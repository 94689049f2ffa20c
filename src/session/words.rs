//! The words a step with `speak_breath = true` says as each breath phase begins, in the few
//! languages hara has them for. A session in another language says none (`hara check` warns),
//! rather than English words in a voice made for another language.

use std::time::Duration;

use crate::timeline::Phase;

/// The phase words of one language: inhale, top-up inhale, hold, exhale, rest.
struct Words {
    lang: &'static str,
    inhale: &'static str,
    top_up: &'static str,
    hold: &'static str,
    exhale: &'static str,
    rest: &'static str,
}

const fn words(
    lang: &'static str,
    [inhale, top_up, hold, exhale, rest]: [&'static str; 5],
) -> Words {
    Words {
        lang,
        inhale,
        top_up,
        hold,
        exhale,
        rest,
    }
}

/// Short enough to fit a phase of a second; the words a teacher says, not the phase's name.
const LANGUAGES: &[Words] = &[
    words("en", ["in", "and in", "hold", "out", "rest"]),
    words("de", ["ein", "und ein", "halten", "aus", "Pause"]),
    words("es", ["inhala", "más", "sostén", "exhala", "pausa"]),
    words("fr", ["inspire", "encore", "retiens", "expire", "pause"]),
    words("it", ["inspira", "ancora", "trattieni", "espira", "pausa"]),
    words("nl", ["in", "en in", "vasthouden", "uit", "rust"]),
    words("pt", ["inspira", "mais", "segura", "expira", "pausa"]),
];

/// The languages hara has phase words in (their primary language subtags).
pub fn languages() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().map(|w| w.lang)
}

/// The phase words for a session written in `lang` (English without one); `None` when hara
/// has none in that language.
fn for_lang(lang: Option<&str>) -> Option<&'static Words> {
    let primary = lang
        .map_or("en", |l| l.split(['-', '_']).next().unwrap_or(l))
        .to_ascii_lowercase();
    LANGUAGES.iter().find(|w| w.lang == primary)
}

/// Whether hara has phase words in `lang`.
pub fn has_words(lang: Option<&str>) -> bool {
    for_lang(lang).is_some()
}

/// The word said as `phase` begins, in `lang`; `None` for a still phase or a language hara
/// has no words in.
pub fn phase_word(lang: Option<&str>, phase: Phase) -> Option<&'static str> {
    let w = for_lang(lang)?;
    match phase {
        Phase::Inhale => Some(w.inhale),
        Phase::TopUp => Some(w.top_up),
        Phase::Hold => Some(w.hold),
        Phase::Exhale => Some(w.exhale),
        Phase::Rest => Some(w.rest),
        Phase::Still => None,
    }
}

/// About how long an engine takes to say `text`: eSpeak NG's 175 words a minute is about 15
/// characters a second, and even one short word takes half a second with the pause around it.
pub fn estimate(text: &str) -> Duration {
    let chars: usize = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().count() + 1)
        .sum();
    Duration::from_millis(500) + Duration::from_secs_f64(chars.saturating_sub(1) as f64 / 15.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_unless_the_session_is_written_in_a_language_hara_has_words_in() {
        assert_eq!(phase_word(None, Phase::Inhale), Some("in"));
        assert_eq!(phase_word(Some("en-GB"), Phase::Exhale), Some("out"));
        assert_eq!(phase_word(Some("DE"), Phase::Hold), Some("halten"));
        assert_eq!(phase_word(Some("pt-BR"), Phase::Rest), Some("pausa"));
        assert_eq!(phase_word(None, Phase::Still), None);
        assert_eq!(phase_word(Some("ja"), Phase::Inhale), None);
        assert!(!has_words(Some("ja")) && has_words(Some("fr")));
        assert_eq!(languages().count(), LANGUAGES.len());
    }

    #[test]
    fn a_word_takes_half_a_second_and_a_sentence_fifteen_characters_a_second() {
        assert_eq!(
            estimate("in"),
            Duration::from_millis(500) + Duration::from_secs_f64(2.0 / 15.0)
        );
        assert_eq!(estimate(" in\n"), estimate("in"));
        let s = estimate("Let the floor take your weight.");
        assert!(
            (s.as_secs_f64() - (0.5 + 31.0 / 15.0)).abs() < 1e-9,
            "{s:?}"
        );
    }
}
