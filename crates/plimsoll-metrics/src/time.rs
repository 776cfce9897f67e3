//! UTC timestamps as Unix seconds: GitHub's RFC 3339 strings in, the same form out, and the
//! `--since` window. Civil-date arithmetic follows Howard Hinnant's `days_from_civil`, so no
//! date library is needed for the one calendar the API uses.

/// Seconds in a day and in a week.
pub const DAY: i64 = 86_400;
pub const WEEK: i64 = 7 * DAY;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Unix seconds of an RFC 3339 timestamp (`2026-11-02T10:00:00Z`, with optional fraction and a
/// `Z` or `±HH:MM` offset), or of a bare date (`2026-11-02`, midnight UTC). `None` when it is
/// neither.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = match text.split_once(['T', 't', ' ']) {
        Some((date, rest)) => (date, Some(rest)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year = number(parts.next()?)?;
    let month = number(parts.next()?)?;
    let day = number(parts.next()?)?;
    // Four-digit years, as RFC 3339 has them: the day arithmetic cannot overflow.
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let midnight = days_from_civil(year, month, day) * DAY;
    let Some(rest) = rest else {
        return Some(midnight);
    };
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let sign_at = rest.rfind(['+', '-'])?;
        let (clock, zone) = rest.split_at(sign_at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = zone.get(1..)?.split_once(':')?;
        (
            clock,
            sign * (number(hours)? * 3600 + number(minutes)? * 60),
        )
    };
    let clock = clock.split_once('.').map_or(clock, |(whole, _)| whole);
    let mut fields = clock.splitn(3, ':');
    let hour = number(fields.next()?)?;
    let minute = number(fields.next()?)?;
    let second = number(fields.next()?)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(midnight + hour * 3600 + minute * 60 + second - offset)
}

/// `2026-11-02T10:00:00Z` for Unix seconds.
pub fn format_timestamp(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(DAY));
    let in_day = seconds.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// `2026-11-02` for Unix seconds.
pub fn format_date(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The Monday 00:00 UTC that starts the week holding `seconds` (weeks as ISO 8601 counts them).
pub fn week_start(seconds: i64) -> i64 {
    let days = seconds.div_euclid(DAY);
    // 1970-01-01 was a Thursday: three days after a Monday.
    (days - (days + 3).rem_euclid(7)) * DAY
}

/// The start of a `--since` window: a length back from `now` (`30d`, `12h`, `2w`, `90m`) or a
/// date or timestamp. `None` when `text` is neither.
pub fn parse_since(text: &str, now: i64) -> Option<i64> {
    let text = text.trim();
    if let Some(at) = parse_timestamp(text) {
        return Some(at);
    }
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (count, unit) = text.split_at(unit_at);
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => DAY,
        "w" => WEEK,
        _ => return None,
    };
    now.checked_sub(number(count)?.checked_mul(unit_seconds)?)
}

/// The current time in Unix seconds (0 on a clock set before 1970).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_offsets_apply() {
        let at = parse_timestamp("2026-11-02T10:00:00Z");
        assert_eq!(at, Some(1_793_613_600));
        assert_eq!(format_timestamp(1_793_613_600), "2026-11-02T10:00:00Z");
        assert_eq!(parse_timestamp("2026-11-02T12:00:00.123+02:00"), at);
        assert_eq!(parse_timestamp("2026-11-02"), Some(1_793_577_600));
        assert_eq!(
            parse_timestamp("2024-02-29T00:00:00Z").map(format_date),
            Some("2024-02-29".into())
        );
        assert_eq!(parse_timestamp("2026-13-02"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2026-11-02T25:00:00Z"), None);
        assert_eq!(parse_timestamp("99999999999999999-01-01T00:00:00Z"), None);
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-02 is a Monday; 2026-11-08 the Sunday of that week.
        let monday = parse_timestamp("2026-11-02").unwrap_or_default();
        let sunday_night = parse_timestamp("2026-11-08T23:59:59Z").unwrap_or_default();
        assert_eq!(week_start(sunday_night), monday);
        assert_eq!(week_start(monday + WEEK), monday + WEEK);
    }

    #[test]
    fn since_takes_a_length_or_a_date() {
        let now = 1_000_000_000;
        assert_eq!(parse_since("30d", now), Some(now - 30 * DAY));
        assert_eq!(parse_since("2w", now), Some(now - 2 * WEEK));
        assert_eq!(parse_since("2026-11-02", now), Some(1_793_577_600));
        assert_eq!(parse_since("30x", now), None);
        assert_eq!(parse_since("d", now), None);
        assert_eq!(parse_since("99999999999999999999d", now), None);
        assert_eq!(parse_since("9223372036854775807s", -10), None);
    }
}
