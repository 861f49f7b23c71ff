//! The insights view: the counts, then four charts (blocks by first-seen month, account age,
//! followers, top tags). Bars are drawn with block characters, so they read under `NO_COLOR`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Widget};

use super::format::count as compact;
use super::theme::Theme;
use crate::app::insights::{Bucket, Insights};
use crate::app::State;
use crate::text::fit;
use crate::text::thousands;

/// Draws the insights view over `area`, leaving the hint and status rows visible.
pub fn render(_state: &State, insights: &Insights, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(inner) = super::view_frame(" Insights ", " Esc close ", theme, area, buf) else {
        return;
    };
    let [counts, charts] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    Paragraph::new(Line::styled(
        fit(&counts_line(insights), counts.width as usize),
        theme.header,
    ))
    .render(counts, buf);
    // The lower charts list one bucket a row: they get the rows they need, the upper ones the rest.
    let need = crate::app::insights::FOLLOWER_BUCKETS.len() as u16 + 2;
    let lower = need
        .min(charts.height.saturating_sub(8))
        .max(charts.height / 2);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(lower)]).areas(charts);
    let halves = |r: Rect| -> [Rect; 2] {
        Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)]).areas(r)
    };
    let [months, ages] = halves(top);
    let [followers, tags] = halves(bottom);
    months_chart(insights, theme, months, buf);
    let age = buckets_chart("Account age", &insights.account_age, theme);
    age.render(ages, buf);
    let fol: Vec<(String, u64)> = insights
        .followers
        .iter()
        .map(|b| (b.bucket.clone(), b.accounts))
        .collect();
    rows_chart(" Followers ", &fol, "", theme, followers, buf);
    let top: Vec<(String, u64)> = insights
        .top_tags
        .iter()
        .map(|t| (crate::text::sanitize(&t.tag), t.accounts))
        .collect();
    rows_chart(
        " Top tags ",
        &top,
        "No tags yet: t tags the selected account.",
        theme,
        tags,
        buf,
    );
}

/// `blocked 5,000 · muted 12 · kept 3 · tagged 40 · gone 7`.
pub fn counts_line(i: &Insights) -> String {
    let c = &i.counts;
    format!(
        "blocked {} · muted {} · kept {} · tagged {} · gone since last full sync {}",
        thousands(c.blocked),
        thousands(c.muted),
        thousands(c.kept),
        thousands(c.tagged),
        thousands(c.gone)
    )
}

fn frame<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.header))
}

/// Bars wide enough for their label and a compact value, narrowed to fit `cells`.
fn bar_width(labels: usize, widest: usize, cells: u16) -> (u16, u16) {
    let n = labels.max(1) as u16;
    let want = widest.max(4) as u16;
    let gap = 1;
    let fits = cells.saturating_sub(n.saturating_sub(1) * gap) / n;
    (want.min(fits).max(1), gap)
}

fn buckets_chart<'a>(title: &str, buckets: &'a [Bucket], theme: &Theme) -> impl Widget + 'a {
    let block = frame(format!(" {title} "), theme);
    let widest = buckets.iter().map(|b| b.bucket.len()).max().unwrap_or(1);
    let bars: Vec<Bar> = buckets
        .iter()
        .map(|b| Bar::with_label(b.bucket.as_str(), b.accounts).text_value(compact(b.accounts)))
        .collect();
    let n = bars.len();
    Chart {
        block,
        bars,
        widest,
        n,
        theme: *theme,
    }
}

/// A vertical bar chart sized to its area when drawn.
struct Chart<'a> {
    block: Block<'a>,
    bars: Vec<Bar<'a>>,
    widest: usize,
    n: usize,
    theme: Theme,
}

impl Widget for Chart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let inner = self.block.inner(area);
        let (w, gap) = bar_width(self.n, self.widest, inner.width);
        BarChart::default()
            .block(self.block)
            .data(BarGroup::default().bars(&self.bars))
            .bar_width(w)
            .bar_gap(gap)
            .bar_style(self.theme.ok)
            .value_style(self.theme.selected)
            .label_style(self.theme.dim)
            .render(area, buf);
    }
}

fn months_chart(i: &Insights, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let inner_w = area.width.saturating_sub(2);
    // As many of the latest months as fit at 4 cells a bar (3 wide, 1 gap).
    let fit_n = usize::from((inner_w + 1) / 4).max(1);
    let shown = &i.blocks_by_month[i.blocks_by_month.len().saturating_sub(fit_n)..];
    let title = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) if a.month != b.month => {
            format!(" First seen: {} – {} ", a.month, b.month)
        }
        (Some(a), _) => format!(" First seen: {} ", a.month),
        _ => " First seen ".to_string(),
    };
    let block = frame(title, theme);
    if shown.is_empty() {
        let inner = block.inner(area);
        block.render(area, buf);
        Paragraph::new(Line::styled(
            fit("No blocked account loaded yet.", inner.width as usize),
            theme.dim,
        ))
        .render(inner, buf);
        return;
    }
    let bars: Vec<Bar> = shown
        .iter()
        .map(|m| Bar::with_label(month_label(&m.month), m.blocks).text_value(compact(m.blocks)))
        .collect();
    BarChart::default()
        .block(block)
        .data(BarGroup::default().bars(&bars))
        .bar_width(3)
        .bar_gap(1)
        .bar_style(theme.ok)
        .value_style(theme.selected)
        .label_style(theme.dim)
        .render(area, buf);
}

/// `2026-03` → `Mar`.
fn month_label(month: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    month
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| NAMES.get(m.wrapping_sub(1)))
        .map_or_else(|| month.to_string(), |s| s.to_string())
}

/// A horizontal bar chart, one row a bar, label on the left; `empty` when there are no rows.
fn rows_chart(
    title: &str,
    rows: &[(String, u64)],
    empty: &str,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let block = frame(title.to_string(), theme);
    let inner = block.inner(area);
    if rows.is_empty() {
        block.render(area, buf);
        Paragraph::new(Line::styled(fit(empty, inner.width as usize), theme.dim))
            .render(inner, buf);
        return;
    }
    let widest = rows.iter().map(|(l, _)| crate::text::width(l)).max();
    let label_w = widest.unwrap_or(1).min(inner.width as usize / 3).max(1);
    let bars: Vec<Bar> = rows
        .iter()
        .take(usize::from(inner.height))
        .map(|(label, n)| Bar::with_label(fit(label, label_w), *n).text_value(thousands(*n)))
        .collect();
    BarChart::default()
        .block(block)
        .direction(Direction::Horizontal)
        .data(BarGroup::default().bars(&bars))
        .bar_width(1)
        .bar_gap(0)
        .bar_style(theme.ok)
        .value_style(theme.selected)
        .label_style(theme.base)
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_named() {
        assert_eq!(month_label("2026-03"), "Mar");
        assert_eq!(month_label("2026-12"), "Dec");
        assert_eq!(month_label("bad"), "bad");
    }

    #[test]
    fn bars_narrow_to_fit() {
        assert_eq!(bar_width(8, 5, 38), (3, 1));
        assert_eq!(bar_width(8, 5, 60), (5, 1));
        assert_eq!(bar_width(8, 5, 10), (1, 1));
    }
}
