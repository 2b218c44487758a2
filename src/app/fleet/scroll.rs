//! Moving through the overview's rows: one at a time, a page (as many rows as the last frame
//! showed), the first and the last. The renderer keeps the selected row on screen.

use super::FleetApp;

impl FleetApp {
    /// Moves the selection by `delta` rows, within the rows shown.
    pub fn select(&mut self, delta: isize) {
        let n = self.rows().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        let at = self.selected as isize + delta;
        self.selected = at.clamp(0, n as isize - 1) as usize;
        self.dirty = true;
    }

    /// A page down (`delta` 1) or up (-1): as many rows as the last frame showed.
    pub fn page(&mut self, delta: isize) {
        let page = self.page.get().max(1) as isize;
        self.select(delta * page);
    }

    /// The first row.
    pub fn first(&mut self) {
        self.selected = 0;
        self.dirty = true;
    }

    /// The last row.
    pub fn last(&mut self) {
        self.selected = self.rows().len().saturating_sub(1);
        self.dirty = true;
    }

    /// The filter changed: the first matching row, at the top.
    pub fn refiltered(&mut self) {
        self.selected = 0;
        self.top.set(0);
        self.dirty = true;
    }
}

/// The first row to draw so that `selected` is on screen, moving as little as possible from
/// `top`, when row `i` takes `height(i)` lines and `room` lines are free; and how many rows
/// then fit from there.
pub fn window(
    top: usize,
    selected: usize,
    n: usize,
    room: usize,
    height: impl Fn(usize) -> usize,
) -> (usize, usize) {
    let fits = |from: usize| {
        let mut used = 0;
        let mut count = 0;
        for i in from..n {
            used += height(i);
            if used > room {
                break;
            }
            count += 1;
        }
        count.max(1).min(n.saturating_sub(from))
    };
    let mut top = top.min(n.saturating_sub(1));
    if selected < top {
        top = selected;
    }
    while top < selected && top + fits(top) <= selected {
        top += 1;
    }
    // No empty lines below the last row while rows above could fill them.
    while top > 0 && fits(top - 1) > fits(top) {
        top -= 1;
    }
    (top, fits(top))
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_window_follows_the_selection_and_moves_as_little_as_it_can() {
        let one = |_| 1;
        assert_eq!(window(0, 0, 60, 10, one), (0, 10));
        assert_eq!(window(0, 9, 60, 10, one), (0, 10));
        assert_eq!(window(0, 10, 60, 10, one), (1, 10));
        assert_eq!(window(30, 59, 60, 10, one), (50, 10));
        // Moving up inside the window does not move it.
        assert_eq!(window(50, 55, 60, 10, one), (50, 10));
        assert_eq!(window(50, 12, 60, 10, one), (12, 10));
        // Fewer rows than room: all of them from the first.
        assert_eq!(window(3, 2, 5, 10, one), (0, 5));
        assert_eq!(window(0, 0, 0, 10, one), (0, 0));
    }

    #[test]
    fn rows_of_two_lines_take_twice_the_room() {
        let two = |_| 2;
        assert_eq!(window(0, 4, 60, 10, two), (0, 5));
        assert_eq!(window(0, 5, 60, 10, two), (1, 5));
        // A row taller than the room is still shown.
        assert_eq!(window(0, 3, 60, 1, two), (3, 1));
    }
}
