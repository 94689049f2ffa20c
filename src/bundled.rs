//! Sound files that ship inside the binary, usable by name from any session. They were made
//! by hara itself (see sounds/README.md).

/// (name, the file's bytes: WAV or Ogg Vorbis).
pub const SOUNDS: &[(&str, &[u8])] = &[
    ("temple-bowl", include_bytes!("../sounds/temple-bowl.ogg")),
    ("clappers", include_bytes!("../sounds/clappers.wav")),
];

/// The bytes of the bundled sound with this name.
pub fn sound(name: &str) -> Option<&'static [u8]> {
    SOUNDS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}
