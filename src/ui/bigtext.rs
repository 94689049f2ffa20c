//! Text in large letters: an 8×8 bitmap font drawn with quadrant block characters, scaled by
//! the largest whole factor that fits. For a projector across a room.
//!
//! A cell holds 2×2 quadrants. At scale `s` a font pixel is `2s` quadrants wide and `s` high,
//! which is square on a terminal whose cells are twice as tall as wide; a glyph is then `8s`
//! cells wide and `4s` rows high. Below scale 1 there is a condensed size, a font pixel per
//! quadrant (a glyph 4 cells wide and 4 rows high), for cue lines that are too long otherwise.

use font8x8::UnicodeFonts;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const GLYPH: u16 = 8;

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

    /// Cells across for one character.
    fn cols(self) -> u16 {
        GLYPH * self.across / 2
    }

    /// Rows down for one line.
    fn rows(self) -> u16 {
        (GLYPH * self.down).div_ceil(2)
    }

    /// From the largest that could fit `area`, down to condensed.
    fn candidates(area: Rect) -> impl Iterator<Item = Size> {
        let max = (area.height * 2 / GLYPH).min(area.width / GLYPH);
        (1..=max).rev().map(Size::scaled).chain([Size::CONDENSED])
    }
}

/// The glyph for a character; anything the font lacks becomes a blank.
fn glyph(c: char) -> [u8; 8] {
    font8x8::BASIC_FONTS.get(c).unwrap_or([0; 8])
}

/// The largest size at which `text` fits on one line of `area`.
pub fn fit(text: &str, area: Rect) -> Option<Size> {
    let chars = text.chars().count() as u16;
    (chars > 0).then_some(())?;
    Size::candidates(area).find(|s| chars * s.cols() <= area.width && s.rows() <= area.height)
}

const QUADRANTS: [&str; 16] = [
    " ", "▗", "▖", "▄", "▝", "▐", "▞", "▟", "▘", "▚", "▌", "▙", "▀", "▜", "▛", "█",
];

/// Draws `text` centred in `area` at `size`; the letters take `style`.
pub fn draw(text: &str, size: Size, style: Style, area: Rect, buf: &mut Buffer) {
    let chars: Vec<char> = text.chars().collect();
    let width = chars.len() as u16 * size.cols();
    let left = area.x + area.width.saturating_sub(width) / 2;
    let top = area.y + area.height.saturating_sub(size.rows()) / 2;
    // Whether the quadrant at (qx, qy), counted from the text's top left, is lit.
    let lit = |qx: u16, qy: u16| -> bool {
        let (col, row) = (qx / size.across, qy / size.down);
        let (ch, x) = ((col / GLYPH) as usize, col % GLYPH);
        chars
            .get(ch)
            .is_some_and(|&c| row < GLYPH && glyph(c)[row as usize] & (1 << x) != 0)
    };
    for y in 0..size.rows() {
        for x in 0..width {
            let (cx, cy) = (left + x, top + y);
            if cx >= area.right() || cy >= area.bottom() {
                continue;
            }
            let bits = usize::from(lit(2 * x, 2 * y)) << 3
                | usize::from(lit(2 * x + 1, 2 * y)) << 2
                | usize::from(lit(2 * x, 2 * y + 1)) << 1
                | usize::from(lit(2 * x + 1, 2 * y + 1));
            if bits != 0 {
                buf[(cx, cy)].set_symbol(QUADRANTS[bits]).set_style(style);
            }
        }
    }
}

/// Words wrapped greedily into lines of at most `width` characters; `None` if a word is
/// longer than that.
fn wrap(text: &str, width: usize) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if word.chars().count() > width {
            return None;
        }
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    Some(lines)
}

/// Draws `text` in the largest letters at which it fits `area` when wrapped at word
/// boundaries. Returns false, drawing nothing, when it does not fit even condensed.
pub fn draw_wrapped(text: &str, style: Style, area: Rect, buf: &mut Buffer) -> bool {
    for size in Size::candidates(area) {
        let per_line = usize::from(area.width / size.cols());
        let Some(lines) = wrap(text, per_line) else {
            continue;
        };
        let height = lines.len() as u16 * size.rows();
        if lines.is_empty() || height > area.height {
            continue;
        }
        let top = area.y + (area.height - height) / 2;
        for (i, line) in lines.iter().enumerate() {
            let y = top + i as u16 * size.rows();
            draw(
                line,
                size,
                style,
                Rect::new(area.x, y, area.width, size.rows()),
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

    #[test]
    fn fits_the_largest_whole_factor_then_condensed() {
        assert_eq!(fit("in 4", Rect::new(0, 0, 127, 35)), Some(Size::scaled(3)));
        assert_eq!(fit("in 4", Rect::new(0, 0, 200, 60)), Some(Size::scaled(6)));
        assert_eq!(fit("in 4", Rect::new(0, 0, 31, 35)), Some(Size::CONDENSED));
        assert_eq!(fit("in 4", Rect::new(0, 0, 15, 35)), None);
        assert_eq!(fit("", Rect::new(0, 0, 100, 100)), None);
    }

    #[test]
    fn draws_the_glyph_pixels() {
        let area = Rect::new(0, 0, 8, 4);
        let mut buf = Buffer::empty(area);
        draw("I", Size::scaled(1), Style::new(), area, &mut buf);
        let rows: Vec<String> = (0..4)
            .map(|y| (0..8).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect();
        // font8x8's I: a bar on top and bottom, a stem in the middle.
        assert_eq!(rows[0], " ▀██▀   ");
        assert!(rows[1].contains("██"), "{rows:?}");
        let mut condensed = Buffer::empty(area);
        draw("I", Size::CONDENSED, Style::new(), area, &mut condensed);
        // Four cells wide, centred: the stem starts one cell in.
        assert_eq!(condensed[(3, 0)].symbol(), "█");
    }

    #[test]
    fn wraps_words_to_fit_and_gives_up_on_long_ones() {
        assert_eq!(
            wrap("Let the shoulders drop.", 15).unwrap(),
            ["Let the", "shoulders drop."]
        );
        assert_eq!(wrap("unbreakablewordhere", 5), None);
        let area = Rect::new(0, 0, 127, 10);
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
}
