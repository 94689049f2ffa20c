//! Text in large letters, in any script: GNU Unifont's bitmaps (the whole Basic Multilingual
//! Plane: Latin with its accents, Greek, Cyrillic, kana, CJK) drawn with quadrant block
//! characters and scaled by the largest whole factor that fits. For a projector across a room.
//!
//! A cell holds 2×2 quadrants. At scale `s` a font pixel is `2s` quadrants wide and `s` high,
//! which is square on a terminal whose cells are twice as tall as wide: a halfwidth glyph (8
//! pixels) is then `8s` cells wide, a fullwidth one (16 pixels, CJK) `16s`. Below scale 1
//! there is a condensed size, a font pixel per quadrant, for cue lines that are too long
//! otherwise. A line is cropped to the rows its glyphs use, so Latin text does not carry the
//! font's empty space for accents and descenders it does not have.
//!
//! Text with a character Unifont cannot draw (outside the BMP, or a combining mark on its
//! own) is not drawn large at all: `fit` and `draw_wrapped` say so, and the caller shows it
//! at normal size rather than with holes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use unifont::Glyph;

/// Font pixel rows in a glyph.
const ROWS: usize = 16;

/// How big the letters are: quadrants per font pixel, across and down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    across: u16,
    down: u16,
}

impl Size {
    /// Square pixels, `scale` cells wide.
    pub fn scaled(scale: u16) -> Self {
        Size {
            across: 2 * scale,
            down: scale,
        }
    }

    /// This size, or scale `max` if that is smaller.
    pub fn at_most(self, max: u16) -> Self {
        if self.down > max {
            Size::scaled(max)
        } else {
            self
        }
    }

    /// Narrow letters at half the width of scale 1.
    pub const CONDENSED: Size = Size { across: 1, down: 1 };

    /// Cells across for `px` font pixels.
    fn cols(self, px: usize) -> u16 {
        u16::try_from((px * usize::from(self.across)).div_ceil(2)).unwrap_or(u16::MAX)
    }

    /// Rows down for `px` font pixel rows.
    fn rows(self, px: usize) -> u16 {
        u16::try_from((px * usize::from(self.down)).div_ceil(2)).unwrap_or(u16::MAX)
    }

    /// From the largest that could fit `area`, down to condensed.
    fn candidates(area: Rect) -> impl Iterator<Item = Size> {
        // A line of Latin text is at least 8 pixel rows, a glyph 8 pixels wide.
        let max = (area.height / 4).min(area.width / 8);
        (1..=max).rev().map(Size::scaled).chain([Size::CONDENSED])
    }
}

/// A line of text as glyphs, with the pixel rows they use.
struct Line {
    glyphs: Vec<&'static Glyph>,
    /// Pixels across, all glyphs together.
    width: usize,
    /// The first and one past the last pixel row any glyph lights.
    rows: (usize, usize),
}

impl Line {
    /// `None` when Unifont cannot draw a character of `text`.
    fn new(text: &str) -> Option<Line> {
        let glyphs = text
            .chars()
            .map(|c| unifont::get_glyph(c).filter(|_| !c.is_control()))
            .collect::<Option<Vec<_>>>()?;
        let lit = |y: usize| {
            glyphs
                .iter()
                .any(|g| (0..g.get_width()).any(|x| g.get_pixel(x, y)))
        };
        let first = (0..ROWS).find(|&y| lit(y)).unwrap_or(0);
        let last = (0..ROWS).rev().find(|&y| lit(y)).map_or(first, |y| y + 1);
        Some(Line {
            width: glyphs.iter().map(|g| g.get_width()).sum(),
            glyphs,
            rows: (first, last),
        })
    }

    fn height(&self) -> usize {
        self.rows.1 - self.rows.0
    }

    fn fits(&self, size: Size, area: Rect) -> bool {
        size.cols(self.width) <= area.width && size.rows(self.height()) <= area.height
    }

    /// Whether the pixel at (`x`, `y`) of the cropped line is lit.
    fn lit(&self, x: usize, y: usize) -> bool {
        let y = y + self.rows.0;
        if y >= self.rows.1 {
            return false;
        }
        let mut left = 0;
        for g in &self.glyphs {
            let w = g.get_width();
            if x < left + w {
                return g.get_pixel(x - left, y);
            }
            left += w;
        }
        false
    }
}

/// The largest size at which `text` fits on one line of `area`; `None` when it does not
/// fit, or cannot be drawn large.
pub fn fit(text: &str, area: Rect) -> Option<Size> {
    let line = Line::new(text).filter(|l| l.width > 0)?;
    Size::candidates(area).find(|&s| line.fits(s, area))
}

const QUADRANTS: [&str; 16] = [
    " ", "▗", "▖", "▄", "▝", "▐", "▞", "▟", "▘", "▚", "▌", "▙", "▀", "▜", "▛", "█",
];

/// Draws `text` centred in `area` at `size`; the letters take `style`. Text that cannot be
/// drawn large is left out (see [`fit`]).
pub fn draw(text: &str, size: Size, style: Style, area: Rect, buf: &mut Buffer) {
    if let Some(line) = Line::new(text) {
        draw_line(&line, size, style, area, buf);
    }
}

fn draw_line(line: &Line, size: Size, style: Style, area: Rect, buf: &mut Buffer) {
    let width = size.cols(line.width);
    let height = size.rows(line.height());
    let left = area.x + area.width.saturating_sub(width) / 2;
    let top = area.y + area.height.saturating_sub(height) / 2;
    // Whether the quadrant at (qx, qy), counted from the text's top left, is lit.
    let lit =
        |qx: u16, qy: u16| line.lit(usize::from(qx / size.across), usize::from(qy / size.down));
    for y in 0..height {
        for x in 0..width {
            let (cx, cy) = (left + x, top + y);
            if cx >= area.right() || cy >= area.bottom() {
                continue;
            }
            let bits = usize::from(lit(2 * x, 2 * y)) << 3
                | usize::from(lit(2 * x + 1, 2 * y)) << 2
                | usize::from(lit(2 * x, 2 * y + 1)) << 1
                | usize::from(lit(2 * x + 1, 2 * y + 1));
            let cell = &mut buf[(cx, cy)];
            match (bits, style.fg) {
                (0, _) => {}
                // A whole cell in colour is painted as its background, not drawn with a block
                // glyph: fonts draw "█" a pixel short of the cell (seams) or past it (pieces
                // left behind when the letter changes), a background never.
                (15, Some(color)) if color != Color::Reset => {
                    cell.set_symbol(" ").set_style(style).set_bg(color);
                }
                _ => {
                    cell.set_symbol(QUADRANTS[bits]).set_style(style);
                }
            }
        }
    }
}

/// Pixels across for `text`, or `None` when Unifont cannot draw it.
fn width(text: &str) -> Option<usize> {
    Line::new(text).map(|l| l.width)
}

/// Pieces of a word that may go on separate lines: the word itself, or, in scripts written
/// without spaces (fullwidth CJK and kana), each character.
fn pieces(word: &str) -> Vec<String> {
    let fullwidth = |c: char| unifont::get_glyph(c).is_some_and(|g| g.is_fullwidth());
    if word.chars().any(fullwidth) {
        word.chars().map(String::from).collect()
    } else {
        vec![word.to_string()]
    }
}

/// Words wrapped greedily into lines of at most `max` pixels; `None` if a piece is wider
/// than that or cannot be drawn.
fn wrap(text: &str, max: usize) -> Option<Vec<String>> {
    let space = width(" ")?;
    let mut lines: Vec<(String, usize)> = Vec::new();
    for word in text.split_whitespace() {
        let mut first_piece = true;
        for piece in pieces(word) {
            let w = width(&piece)?;
            if w > max {
                return None;
            }
            // Pieces of one word join without a space; words with one.
            let gap = if first_piece { space } else { 0 };
            let sep = if first_piece { " " } else { "" };
            match lines.last_mut() {
                Some((line, used)) if *used + gap + w <= max => {
                    line.push_str(sep);
                    line.push_str(&piece);
                    *used += gap + w;
                }
                _ => lines.push((piece, w)),
            }
            first_piece = false;
        }
    }
    Some(lines.into_iter().map(|(l, _)| l).collect())
}

/// Draws `text` in the largest letters at which it fits `area` when wrapped at word
/// boundaries (or between the characters of CJK text). Returns false, drawing nothing, when
/// it does not fit even condensed, or has a character that cannot be drawn large.
pub fn draw_wrapped(text: &str, style: Style, area: Rect, buf: &mut Buffer) -> bool {
    for size in Size::candidates(area) {
        let max = usize::from(area.width) * 2 / usize::from(size.across);
        let Some(lines) = wrap(text, max) else {
            continue;
        };
        let Some(lines) = lines
            .iter()
            .map(|l| Line::new(l))
            .collect::<Option<Vec<Line>>>()
        else {
            return false;
        };
        // Every line as tall as the tallest, so lines stand evenly.
        let rows = lines.iter().map(Line::height).max().unwrap_or(0);
        let line_rows = size.rows(rows);
        let height = lines.len() as u16 * line_rows;
        if lines.is_empty() || height > area.height {
            continue;
        }
        let top = area.y + (area.height - height) / 2;
        for (i, line) in lines.iter().enumerate() {
            let y = top + i as u16 * line_rows;
            draw_line(
                line,
                size,
                style,
                Rect::new(area.x, y, area.width, line_rows),
                buf,
            );
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(buf: &Buffer) -> Vec<String> {
        let area = buf.area;
        (area.y..area.bottom())
            .map(|y| {
                (area.x..area.right())
                    .map(|x| buf[(x, y)].symbol())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn fits_the_largest_whole_factor_then_condensed() {
        assert_eq!(fit("in 4", Rect::new(0, 0, 127, 35)), Some(Size::scaled(3)));
        assert_eq!(fit("in 4", Rect::new(0, 0, 200, 60)), Some(Size::scaled(6)));
        assert_eq!(fit("in 4", Rect::new(0, 0, 31, 35)), Some(Size::CONDENSED));
        assert_eq!(fit("in 4", Rect::new(0, 0, 15, 35)), None);
        assert_eq!(fit("", Rect::new(0, 0, 100, 100)), None);
    }

    #[test]
    fn draws_the_glyph_pixels_cropped_to_the_rows_used() {
        let area = Rect::new(0, 0, 8, 8);
        let mut buf = Buffer::empty(area);
        draw("I", Size::scaled(1), Style::new(), area, &mut buf);
        let rows: Vec<String> = rows(&buf).into_iter().filter(|r| r.trim() != "").collect();
        // Unifont's I: a bar on top and bottom and a stem between; 10 pixel rows are 5 cells,
        // without the font's empty rows above and below.
        assert_eq!(
            rows.first().map(String::as_str),
            Some("  ▀▀█▀▀ "),
            "{rows:#?}"
        );
        assert_eq!(
            rows.last().map(String::as_str),
            Some("  ▄▄█▄▄ "),
            "{rows:#?}"
        );
        assert_eq!(rows.len(), 5, "{rows:#?}");
        let mut condensed = Buffer::empty(area);
        draw("I", Size::CONDENSED, Style::new(), area, &mut condensed);
        assert!(rows_lit(&condensed) > 0);
    }

    fn rows_lit(buf: &Buffer) -> usize {
        rows(buf).iter().filter(|r| r.trim() != "").count()
    }

    #[test]
    fn every_script_a_bodyworker_might_teach_in_is_drawn() {
        for cue in [
            "Füße schwer, Hände weich.",
            "Relâchez les épaules, ça va.",
            "Ανάσα στην κοιλιά.",
            "Дышите животом.",
            "はらで いきを する",
            "腹で息をする",
            "用腹部呼吸",
        ] {
            let area = Rect::new(0, 0, 123, 14);
            let mut buf = Buffer::empty(area);
            assert!(draw_wrapped(cue, Style::new(), area, &mut buf), "{cue}");
            assert!(rows_lit(&buf) > 3, "{cue}: {:#?}", rows(&buf));
        }
    }

    #[test]
    fn umlauts_take_the_rows_above_the_letters() {
        let plain = Line::new("u").unwrap();
        let umlaut = Line::new("ü").unwrap();
        assert!(
            umlaut.rows.0 < plain.rows.0,
            "the dots are drawn, not cropped away"
        );
    }

    #[test]
    fn wide_glyphs_take_two_columns() {
        assert_eq!(width("腹"), Some(16));
        assert_eq!(width("a"), Some(8));
        // In the same space a wide glyph fits at half the scale of a narrow one.
        assert_eq!(fit("腹", Rect::new(0, 0, 16, 8)), Some(Size::scaled(1)));
        assert_eq!(fit("a", Rect::new(0, 0, 16, 8)), Some(Size::scaled(2)));
    }

    #[test]
    fn what_cannot_be_drawn_large_is_not_drawn_at_all() {
        // A musical symbol outside the BMP, and a combining accent on its own.
        assert_eq!(fit("𝄞", Rect::new(0, 0, 100, 30)), None);
        let area = Rect::new(0, 0, 100, 30);
        let mut buf = Buffer::empty(area);
        assert!(!draw_wrapped("e\u{301}te 𝄞", Style::new(), area, &mut buf));
        assert_eq!(rows_lit(&buf), 0, "no holes: nothing drawn");
    }

    #[test]
    fn wraps_words_and_cjk_characters_to_fit() {
        assert_eq!(
            wrap("Let the shoulders drop.", 15 * 8).unwrap(),
            ["Let the", "shoulders drop."]
        );
        assert_eq!(wrap("unbreakablewordhere", 5 * 8), None);
        assert_eq!(wrap("腹で息をする", 3 * 16).unwrap(), ["腹で息", "をする"]);
        // The cue area of the projection view at 127×35.
        let area = Rect::new(0, 0, 123, 14);
        let mut buf = Buffer::empty(area);
        assert!(draw_wrapped(
            "Feel the floor and the seat beneath you.",
            Style::new(),
            area,
            &mut buf
        ));
        assert!(!draw_wrapped(
            &"many words here ".repeat(20),
            Style::new(),
            area,
            &mut buf
        ));
    }

    #[test]
    fn whole_cells_in_colour_are_painted_not_drawn() {
        let area = Rect::new(0, 0, 16, 10);
        let ink = Style::new().fg(Color::Rgb(232, 224, 208));
        let mut buf = Buffer::empty(area);
        draw("I", Size::scaled(2), ink, area, &mut buf);
        let painted = buf
            .content()
            .iter()
            .filter(|c| c.symbol() == " " && c.bg == Color::Rgb(232, 224, 208))
            .count();
        assert!(painted > 10, "the stem is painted cells");
        assert!(!buf.content().iter().any(|c| c.symbol() == "█"));
        // Without colour, the shape is carried by the characters.
        let mut plain = Buffer::empty(area);
        draw("I", Size::scaled(2), Style::new(), area, &mut plain);
        assert!(plain.content().iter().any(|c| c.symbol() == "█"));
    }
}
