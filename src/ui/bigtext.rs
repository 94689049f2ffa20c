//! Text in large letters: an 8×8 bitmap font, each font pixel drawn as a square of half-block
//! cells, scaled by the largest whole factor that fits. For a projector across a room.

use font8x8::UnicodeFonts;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const GLYPH: u16 = 8;

/// The glyph for a character; anything the font lacks becomes a blank.
fn glyph(c: char) -> [u8; 8] {
    font8x8::BASIC_FONTS.get(c).unwrap_or([0; 8])
}

/// The largest scale at which `text` fits in `area` (a font pixel is `scale` cells wide and
/// `scale` half-cells high), or `None` if it does not fit even at 1.
pub fn fit_scale(text: &str, area: Rect) -> Option<u16> {
    let chars = text.chars().count() as u16;
    if chars == 0 {
        return None;
    }
    let by_width = area.width / (chars * GLYPH);
    let by_height = area.height * 2 / GLYPH;
    let scale = by_width.min(by_height);
    (scale >= 1).then_some(scale)
}

/// Draws `text` centred in `area` at `scale`; the pixels take `style`'s foreground.
pub fn draw(text: &str, scale: u16, style: Style, area: Rect, buf: &mut Buffer) {
    let chars: Vec<char> = text.chars().collect();
    let width = chars.len() as u16 * GLYPH * scale;
    let height_half = GLYPH * scale;
    let left = area.x + area.width.saturating_sub(width) / 2;
    let top = area.y + area.height.saturating_sub(height_half.div_ceil(2)) / 2;
    let lit = |px: u16, py_half: u16| -> bool {
        let (col, row) = (px / scale, py_half / scale);
        let (ch, x) = ((col / GLYPH) as usize, col % GLYPH);
        chars
            .get(ch)
            .is_some_and(|&c| row < GLYPH && glyph(c)[row as usize] & (1 << x) != 0)
    };
    for y in 0..height_half.div_ceil(2) {
        for x in 0..width {
            let (cx, cy) = (left + x, top + y);
            if cx >= area.right() || cy >= area.bottom() {
                continue;
            }
            let symbol = match (lit(x, 2 * y), lit(x, 2 * y + 1)) {
                (true, true) => "█",
                (true, false) => "▀",
                (false, true) => "▄",
                (false, false) => continue,
            };
            buf[(cx, cy)].set_symbol(symbol).set_style(style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_the_largest_whole_factor() {
        assert_eq!(fit_scale("in 4", Rect::new(0, 0, 127, 35)), Some(3));
        assert_eq!(fit_scale("in 4", Rect::new(0, 0, 200, 60)), Some(6));
        assert_eq!(fit_scale("in 4", Rect::new(0, 0, 31, 35)), None);
        assert_eq!(fit_scale("", Rect::new(0, 0, 100, 100)), None);
    }

    #[test]
    fn draws_the_glyph_pixels() {
        let area = Rect::new(0, 0, 8, 4);
        let mut buf = Buffer::empty(area);
        draw("I", 1, Style::new(), area, &mut buf);
        let rows: Vec<String> = (0..4)
            .map(|y| (0..8).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect();
        // font8x8's I: a bar on top and bottom, a stem in the middle.
        assert_eq!(rows[0], " ▀██▀   ");
        assert!(rows[1].contains("██"), "{rows:?}");
    }
}
