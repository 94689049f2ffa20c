//! `ambient`, a sound bed (format 1.1), at the top level or in a step: which sound, how
//! loud, how long its fades are.

use super::*;

const AMBIENT_KEYS: &[&str] = &["sound", "volume", "fade"];
/// The longest fade in or out.
const MAX_FADE: Duration = Duration::from_secs(60);
const FORMS: &str = "write ambient = { sound = \"surf\", volume = 0.2, fade = \"10s\" }, \
                     ambient = \"rain\", or (in a step) ambient = false";

/// What an `ambient` key says.
pub(super) enum Said {
    Bed(Ambient),
    /// `ambient = false`.
    Off,
}

impl Checker<'_> {
    /// The value of an `ambient` key whose name is at `key`.
    pub(super) fn ambient(&mut self, v: &Value<'_>, key: Span) -> Option<Said> {
        self.needs(FormatVersion::V1_1, "a sound bed (`ambient`)", key);
        match v.get_ref() {
            DeValue::Boolean(false) => Some(Said::Off),
            DeValue::Boolean(true) => {
                self.push(
                    Diagnostic::error("`ambient = true` does not say which sound", v.span())
                        .with_label("which bed?")
                        .with_help(FORMS),
                );
                None
            }
            DeValue::String(_) => self.ambient_sound(v).map(|sound| {
                Said::Bed(Ambient {
                    sound,
                    volume: Ambient::VOLUME,
                    fade: Ambient::FADE,
                })
            }),
            DeValue::Table(t) => {
                self.known_keys(t, AMBIENT_KEYS, "a sound bed");
                let sound = match get(t, "sound") {
                    Some(s) => self.ambient_sound(s),
                    None => {
                        self.error(
                            "a sound bed needs `sound`",
                            v.span(),
                            "add sound = \"surf\", \"rain\", or a .wav or .ogg file",
                        );
                        None
                    }
                };
                let volume = get(t, "volume").map_or(Some(Ambient::VOLUME), |v| self.volume(v));
                let fade = get(t, "fade").map_or(Some(Ambient::FADE), |f| self.fade(f));
                Some(Said::Bed(Ambient {
                    sound: sound?,
                    volume: volume?,
                    fade: fade?,
                }))
            }
            _ => {
                self.wrong_type(v, "a table, a sound name or false", FORMS);
                None
            }
        }
    }

    fn fade(&mut self, v: &Value<'_>) -> Option<Duration> {
        let d = self.duration(v)?;
        if d > MAX_FADE {
            self.push(
                Diagnostic::error("a sound bed's fade is over a minute", v.span())
                    .with_label(duration::format(d))
                    .with_help("fade over a few seconds, e.g. fade = \"10s\""),
            );
            return None;
        }
        Some(d)
    }

    /// hara's beds by name, else a sound file as bells find them (by name or path, decoded
    /// to be sure it plays).
    fn ambient_sound(&mut self, v: &Value<'_>) -> Option<AmbientSound> {
        let name = self.nonempty_string(v, "the sound")?;
        if let Some(n) = Noise::from_name(&name) {
            return Some(AmbientSound::Noise(n));
        }
        if Instrument::from_name(&name).is_some() {
            self.push(
                Diagnostic::error(
                    format!("`{name}` is a struck instrument, not a sound bed"),
                    v.span(),
                )
                .with_label("rings once and dies away")
                .with_help("a bed is surf, rain, or a .wav or .ogg file to loop"),
            );
            return None;
        }
        let is_file = name.contains(['/', '\\', '.'])
            || self.sounds.resolve(&name).is_some()
            || crate::bundled::sound(&name).is_some();
        if is_file {
            return match self.sound(v)? {
                Sound::File(path) => Some(AmbientSound::File(path)),
                Sound::Bundled(name) => Some(AmbientSound::Bundled(name)),
                Sound::Instrument(_) => None,
            };
        }
        let mut known: Vec<String> = Noise::ALL.iter().map(|n| n.name().to_string()).collect();
        known.extend(self.sounds.names());
        known.extend(crate::bundled::SOUNDS.iter().map(|(n, _)| n.to_string()));
        let help = match did_you_mean(&name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "the beds are: {}, or a path to a .wav or .ogg file",
                known.join(", ")
            ),
        };
        self.push(
            Diagnostic::error(format!("unknown sound bed `{name}`"), v.span())
                .with_label("no bed or sound file of this name")
                .with_help(help),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::{findings, with_step};

    fn top(ambient: &str) -> Vec<String> {
        findings(&format!(
            "title = \"T\"\nambient = {ambient}\n[[step]]\nduration = \"5m\"\n"
        ))
    }

    #[test]
    fn a_bed_by_name_table_or_off() {
        for ok in [
            "\"surf\"",
            "{ sound = \"rain\" }",
            "{ sound = \"surf\", volume = 0.4, fade = \"10s\" }",
            "{ sound = \"rain\", fade = 0 }",
            "false",
        ] {
            assert_eq!(top(ok), Vec::<String>::new(), "{ok}");
        }
        assert_eq!(
            findings(&with_step("duration = 5\nambient = false\n")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_wrong_bed_is_named_and_placed() {
        assert_eq!(
            top("\"srf\""),
            ["2:11 error: unknown sound bed `srf` [did you mean `surf`?]"]
        );
        assert_eq!(
            top("{ sound = \"bowl\", volume = 3, fade = \"ten\", loud = 1 }"),
            [
                "2:21 error: `bowl` is a struck instrument, not a sound bed [a bed is surf, rain, or a .wav or .ogg file to loop]",
                "2:38 error: volume must be from 0.0 to 1.0 [write a volume from 0.0 (silent) to 1.0 (full)]",
                "2:49 error: invalid duration: expected a number [write a duration as \"90s\", \"1m30s\", \"2.5s\", \"5m\", \"1h\", or a number of seconds (90)]",
                "2:55 error: unknown key `loud` in a sound bed [a sound bed takes: sound, volume, fade]",
            ]
        );
    }

    #[test]
    fn a_fade_is_a_duration_of_a_minute_at_most_and_a_bed_needs_a_sound() {
        let f = top("{ fade = \"2m\" }");
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(
            f[0].starts_with("2:11 error: a sound bed needs `sound`"),
            "{f:#?}"
        );
        assert!(
            f[1].starts_with("2:20 error: a sound bed's fade is over a minute"),
            "{f:#?}"
        );
        let f = top("true");
        assert!(
            f[0].contains("`ambient = true` does not say which sound"),
            "{f:#?}"
        );
    }

    #[test]
    fn format_1_refuses_a_bed_with_the_version_it_needs() {
        let f = findings(
            "format = 1\ntitle = \"T\"\nambient = \"surf\"\n[[step]]\nduration = 5\nambient = false\n",
        );
        assert_eq!(
            f,
            [
                "3:1 error: a sound bed (`ambient`) needs session format 1.1 [this file says `format = 1`; write `format = 1.1` at its top]",
                "6:1 error: a sound bed (`ambient`) needs session format 1.1 [this file says `format = 1`; write `format = 1.1` at its top]",
            ]
        );
        assert!(
            findings("format = 1.1\ntitle = \"T\"\nambient = \"surf\"\n[[step]]\nduration = 5\n")
                .is_empty()
        );
    }
}
