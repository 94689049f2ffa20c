//! Colours. Calm by default; light and high-contrast for other rooms; none with NO_COLOR.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeName {
    /// Soft colours on your terminal's own background.
    Calm,
    /// Dark text on a light background.
    Light,
    /// Black and white at full strength, for projectors and bright rooms.
    Contrast,
}

impl ThemeName {
    /// A theme by name, as the config file and `HARA_THEME` give it.
    pub fn parse(name: &str) -> Option<Self> {
        <Self as clap::ValueEnum>::from_str(name, true).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: hints, countdowns, summaries.
    pub dim: Style,
    /// Titles and the phase word.
    pub strong: Style,
    /// The breath: the filled part of the belly.
    pub fill: Color,
    /// The belly's empty part.
    pub hollow: Color,
    /// Behind everything.
    pub background: Color,
    /// The paused banner and warnings.
    pub alert: Style,
    /// The selected row of the picker.
    pub selected: Style,
}

impl Theme {
    pub fn new(name: ThemeName, color: bool) -> Self {
        if !color {
            return Theme {
                text: Style::new(),
                dim: Style::new(),
                strong: Style::new().add_modifier(Modifier::BOLD),
                fill: Color::Reset,
                hollow: Color::Reset,
                background: Color::Reset,
                alert: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                selected: Style::new().add_modifier(Modifier::REVERSED),
            };
        }
        match name {
            ThemeName::Calm => Theme {
                text: Style::new().fg(Color::Rgb(214, 206, 190)),
                dim: Style::new().fg(Color::Rgb(130, 126, 118)),
                strong: Style::new()
                    .fg(Color::Rgb(236, 224, 200))
                    .add_modifier(Modifier::BOLD),
                fill: Color::Rgb(196, 140, 92),
                hollow: Color::Rgb(58, 54, 50),
                background: Color::Reset,
                alert: Style::new()
                    .fg(Color::Rgb(30, 28, 26))
                    .bg(Color::Rgb(214, 170, 110)),
                selected: Style::new()
                    .fg(Color::Rgb(30, 28, 26))
                    .bg(Color::Rgb(196, 140, 92)),
            },
            ThemeName::Light => Theme {
                text: Style::new()
                    .fg(Color::Rgb(60, 52, 44))
                    .bg(Color::Rgb(246, 241, 232)),
                dim: Style::new()
                    .fg(Color::Rgb(128, 118, 104))
                    .bg(Color::Rgb(246, 241, 232)),
                strong: Style::new()
                    .fg(Color::Rgb(40, 34, 28))
                    .bg(Color::Rgb(246, 241, 232))
                    .add_modifier(Modifier::BOLD),
                fill: Color::Rgb(176, 112, 64),
                hollow: Color::Rgb(226, 216, 200),
                background: Color::Rgb(246, 241, 232),
                alert: Style::new()
                    .fg(Color::Rgb(246, 241, 232))
                    .bg(Color::Rgb(150, 80, 40)),
                selected: Style::new()
                    .fg(Color::Rgb(246, 241, 232))
                    .bg(Color::Rgb(176, 112, 64)),
            },
            ThemeName::Contrast => Theme {
                text: Style::new().fg(Color::White).bg(Color::Black),
                dim: Style::new().fg(Color::White).bg(Color::Black),
                strong: Style::new()
                    .fg(Color::White)
                    .bg(Color::Black)
                    .add_modifier(Modifier::BOLD),
                fill: Color::White,
                hollow: Color::DarkGray,
                background: Color::Black,
                alert: Style::new()
                    .fg(Color::Black)
                    .bg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                selected: Style::new().fg(Color::Black).bg(Color::White),
            },
        }
    }
}
