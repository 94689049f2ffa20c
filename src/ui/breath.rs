//! The breath, drawn as a belly: a low, round form that fills from below on the inhale, stays
//! full on a hold, and settles on the exhale. Half-block cells give it square pixels.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

use super::theme::Theme;

/// Draws the belly filled to `fill` (0 to 1000) in `area`.
pub fn draw(fill: u16, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.width < 4 || area.height < 2 {
        return;
    }
    let level = f64::from(fill.min(1000)) / 1000.0;
    // In half-cell pixels: as wide as the area allows, about half as tall as wide, and a
    // little wider and taller when full, as a belly rounds out on the inhale.
    let (w, h) = (f64::from(area.width), f64::from(area.height) * 2.0);
    // The form is heavier below its widest line than above, like a belly seen from the side
    // of a sitting person: a shallow dome over a deep, round bowl.
    let grow = 0.9 + 0.1 * level;
    let rx = (w * 0.34).min(h * 0.85) * grow;
    let below = (rx * 0.5).min(h * 0.55) * grow;
    let above = below * 0.6;
    let (cx, cy) = (w / 2.0, (h + above - below) / 2.0);
    let fill_line = cy + below - (above + below) * level;
    // 0: outside, 1: inside and empty, 2: inside and filled.
    let pixel = |x: u16, y: u16| -> u8 {
        let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let ry = if py < cy { above } else { below };
        let (dx, dy) = ((px - cx) / rx, (py - cy) / ry);
        match (dx * dx + dy * dy <= 1.0, py >= fill_line) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => 2,
        }
    };
    for row in 0..area.height {
        for col in 0..area.width {
            let (top, bottom) = (pixel(col, 2 * row), pixel(col, 2 * row + 1));
            let cell = &mut buf[(area.x + col, area.y + row)];
            if theme.fill == Color::Reset {
                // No colour: characters alone carry the shape.
                let symbol = match top.max(bottom) {
                    0 => continue,
                    1 => "░",
                    _ if top == 2 => "█",
                    _ => "▄",
                };
                cell.set_symbol(symbol);
                continue;
            }
            let color = |p: u8| if p == 1 { theme.hollow } else { theme.fill };
            // A half outside the form keeps the terminal's own background: draw only the
            // inside half, in the foreground.
            match (top, bottom) {
                (0, 0) => continue,
                (0, b) => cell.set_symbol("▄").set_style(Style::new().fg(color(b))),
                (t, 0) => cell.set_symbol("▀").set_style(Style::new().fg(color(t))),
                (t, b) => cell
                    .set_symbol("▀")
                    .set_style(Style::new().fg(color(t)).bg(color(b))),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::theme::ThemeName;

    fn filled_cells(fill: u16) -> usize {
        let area = Rect::new(0, 0, 40, 12);
        let mut buf = Buffer::empty(area);
        draw(fill, &Theme::new(ThemeName::Calm, false), area, &mut buf);
        buf.content()
            .iter()
            .filter(|c| c.symbol() == "█" || c.symbol() == "▄")
            .count()
    }

    #[test]
    fn fills_from_below_as_the_breath_comes_in() {
        let (empty, half, full) = (filled_cells(0), filled_cells(500), filled_cells(1000));
        assert!(empty < half && half < full, "{empty} {half} {full}");
        assert_eq!(empty, 0);
    }

    #[test]
    fn tiny_areas_are_left_alone() {
        let area = Rect::new(0, 0, 3, 1);
        let mut buf = Buffer::empty(area);
        draw(1000, &Theme::new(ThemeName::Calm, true), area, &mut buf);
        assert_eq!(buf, Buffer::empty(area));
    }

    /// The cells drawn in `color`, as foreground or background: in colour, the belly's fill
    /// is carried by colour alone, so the colours are what a test must look at.
    fn cells_in(fill: u16, color: Color) -> usize {
        let theme = Theme::new(ThemeName::Calm, true);
        let area = Rect::new(0, 0, 40, 12);
        let mut buf = Buffer::empty(area);
        draw(fill, &theme, area, &mut buf);
        buf.content()
            .iter()
            .filter(|c| c.fg == color || c.bg == color)
            .count()
    }

    #[test]
    fn in_colour_the_breath_is_the_fill_colour_rising_through_the_hollow() {
        let theme = Theme::new(ThemeName::Calm, true);
        assert_ne!(theme.fill, theme.hollow);
        assert_eq!(cells_in(0, theme.fill), 0, "empty: no fill colour at all");
        assert!(cells_in(0, theme.hollow) > 0, "the hollow shows the form");
        assert!(cells_in(500, theme.fill) > 0 && cells_in(500, theme.hollow) > 0);
        assert!(cells_in(1000, theme.fill) > cells_in(500, theme.fill));
        assert_eq!(cells_in(1000, theme.hollow), 0, "full: no hollow left");
    }
}
