//! The principle cards: the "working from hara" principles of bodywork, each with short cue
//! lines in our own words. Sessions name a principle by id and are given its lines in turn,
//! so a session that returns to a principle does not repeat the same sentence.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Principle {
    pub id: &'static str,
    pub title: &'static str,
    /// What the principle means, in one line.
    pub meaning: &'static str,
    /// Cue lines; each fits one line of a projected screen.
    pub cues: &'static [&'static str],
}

/// The longest cue line, in characters, so that a cue fits one projected line.
pub const MAX_CUE_CHARS: usize = 60;

pub static PRINCIPLES: &[Principle] = &[
    Principle {
        id: "attend-to-feeling",
        title: "Attend to feeling",
        meaning: "Feeling is always now; notice breath, weight and sensation before thought.",
        cues: &[
            "Notice the breath as it is, without changing it.",
            "Feel the weight of your body, right now.",
            "When a thought pulls you away, return to sensation.",
            "Where is there warmth, where is there coolness?",
            "Let the belly tell you how the breath is moving.",
        ],
    },
    Principle {
        id: "relax",
        title: "Relax, be comfortable",
        meaning: "Tension blocks the flow and spreads; so does ease. Find a posture you can rest in.",
        cues: &[
            "Let the shoulders drop away from the ears.",
            "Unclench the jaw; let the tongue rest.",
            "Soften the belly and let it be round.",
            "If something aches, shift until it is comfortable.",
            "Let the hands be heavy and easy.",
        ],
    },
    Principle {
        id: "whole-body",
        title: "Use the whole body",
        meaning: "Effort comes from moving in parts; move from the belly and the whole body follows.",
        cues: &[
            "Let a movement begin in the belly, not the arms.",
            "Feel the breath move the whole trunk, front and back.",
            "Rest into the shape you are holding.",
            "Let the arms be carried by the body's weight.",
        ],
    },
    Principle {
        id: "no-force",
        title: "Don't force, don't hold back",
        meaning: "Lean with relaxed weight; the quality of contact matters more than pressure.",
        cues: &[
            "Let the breath come; there is nothing to push.",
            "Lean your weight in rather than pushing.",
            "Meet the breath halfway: neither pull nor hold.",
            "Let the exhale finish on its own.",
        ],
    },
    Principle {
        id: "solid-base",
        title: "A solid base",
        meaning: "A lower body that is open, flexible and wider than the upper body.",
        cues: &[
            "Feet a little wider than the hips, knees soft.",
            "If kneeling, let the knees part and the groin open.",
            "Check your base: wide, low and easy.",
            "Let the hips be heavy and the legs springy.",
        ],
    },
    Principle {
        id: "grounded",
        title: "Connected to the ground",
        meaning: "Roots into the earth; when grounding is lost, stop, breathe low, feel your weight.",
        cues: &[
            "Feel the floor pressing up under you.",
            "Let your weight sink through the feet into the ground.",
            "Imagine roots reaching down from the belly.",
            "Lost your footing? Pause and breathe into the belly.",
        ],
    },
    Principle {
        id: "from-the-hara",
        title: "Direct from the hara",
        meaning: "Aim the belly toward the work; let the hara move you and the hands follow.",
        cues: &[
            "Rest your attention a hand's width below the navel.",
            "Let the belly face where you are going.",
            "Let the hara lead; the hands only follow.",
            "Breathe into the point below the navel.",
        ],
    },
    Principle {
        id: "out-of-the-way",
        title: "Get out of your own way",
        meaning: "Trust the body's instinct; keep it simple and let intuition lead.",
        cues: &[
            "Nothing to fix; let the body find its way.",
            "Keep it simple: breathe, feel, rest.",
            "Let go of doing it right.",
            "Trust what your hands and belly already know.",
        ],
    },
];

/// The principle with this id.
pub fn find(id: &str) -> Option<&'static Principle> {
    PRINCIPLES.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_principle_has_several_short_cues() {
        assert_eq!(PRINCIPLES.len(), 8);
        for p in PRINCIPLES {
            assert!(p.cues.len() >= 4, "{} has {} cues", p.id, p.cues.len());
            for cue in p.cues {
                assert!(cue.chars().count() <= MAX_CUE_CHARS, "too long: {cue}");
            }
        }
    }

    #[test]
    fn ids_are_unique_and_findable() {
        for p in PRINCIPLES {
            assert!(std::ptr::eq(find(p.id).unwrap(), p));
        }
        assert!(find("levitate").is_none());
    }
}
