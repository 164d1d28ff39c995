package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The time match. The kernel keeps daytimes in seconds, dates as unsigned 32-bit seconds since
 * 1970 (UTC), and the days as bit masks; iptables-save prints them back from those.
 */
final class TimeMatch {

    private TimeMatch() {
    }

    private static final List<String> WEEKDAYS = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    private static final long ALL_MONTHDAYS = 0xfffffffeL;
    private static final int ALL_WEEKDAYS = 0xfe;
    private static final int LAST_SECOND_OF_DAY = 24 * 60 * 60 - 1;
    /** The date the kernel stops at when none is given: INT_MAX seconds, which 1.8.9 prints. */
    private static final long DEFAULT_DATE_STOP = Integer.MAX_VALUE;

    private static final ValueType TEXT = Values.of("text", "text", (raw, ctx) -> raw);

    private static final ValueType DAYTIME = Values.of("daytime", "hh:mm[:ss]",
            (raw, ctx) -> formatDaytime(parseDaytime(raw)));

    private static final ValueType DATE = Values.of("date", "YYYY[-MM[-DD[Thh[:mm[:ss]]]]]",
            (raw, ctx) -> formatDate(parseDate(raw)));

    static ExtensionSpec spec() {
        return ExtensionSpec.match("time", "match by time of day, day of week or month, and date range",
                        OptionSpec.of("timestart", "start of the daily window (hh:mm[:ss])", DAYTIME),
                        OptionSpec.of("timestop", "end of the daily window (hh:mm[:ss])", DAYTIME),
                        OptionSpec.of("monthdays", "days of the month, 1 to 31, separated by commas", TEXT)
                                .invertible(),
                        OptionSpec.of("weekdays", "days of the week, Mon to Sun or 1 to 7, separated by commas",
                                TEXT).invertible(),
                        OptionSpec.of("datestart", "first moment, ISO 8601 in UTC", DATE),
                        OptionSpec.of("datestop", "last moment, ISO 8601 in UTC", DATE),
                        OptionSpec.flag("kerneltz", "read times in the kernel's time zone instead of UTC")
                                .alias("localtz"),
                        OptionSpec.flag("contiguous", "treat a window that wraps past midnight as one stretch"),
                        OptionSpec.flag("utc", "read times in UTC (the default)"))
                .canonicalizedBy(TimeMatch::canonical)
                .means(MatchSemantics.HISTORY);
    }

    private static List<Option> canonical(List<Option> options, ValueContext context) throws InvalidValueException {
        Map<String, Option> given = new HashMap<>();
        for (Option option : options) {
            given.put(option.name(), option);
        }
        if (given.containsKey("utc") && given.containsKey("kerneltz")) {
            throw new InvalidValueException("--utc and --kerneltz cannot be combined");
        }
        int start = given.containsKey("timestart") ? parseDaytime(given.get("timestart").arg()) : 0;
        int stop = given.containsKey("timestop") ? parseDaytime(given.get("timestop").arg()) : LAST_SECOND_OF_DAY;
        if (given.containsKey("contiguous") && start < stop) {
            throw new InvalidValueException("--contiguous needs --timestop earlier than --timestart");
        }
        List<Option> out = new ArrayList<>();
        if (start != 0 || stop != LAST_SECOND_OF_DAY) {
            out.add(Option.of("timestart", formatDaytime(start)));
            out.add(Option.of("timestop", formatDaytime(stop)));
        }
        Option monthdays = given.get("monthdays");
        if (monthdays != null) {
            long mask = parseMonthdays(monthdays.arg()) ^ (monthdays.negated() ? ALL_MONTHDAYS : 0);
            if (mask != ALL_MONTHDAYS) {
                out.add(Option.of("monthdays", formatDays(mask, 31, null)));
            }
        }
        Option weekdays = given.get("weekdays");
        if (weekdays != null) {
            long mask = (parseWeekdays(weekdays.arg()) ^ (weekdays.negated() ? ALL_WEEKDAYS : 0)) & 0xff;
            if (mask != ALL_WEEKDAYS) {
                out.add(Option.of("weekdays", formatDays(mask, 7, WEEKDAYS)));
            }
        }
        long dateStart = given.containsKey("datestart") ? parseDate(given.get("datestart").arg()) : 0;
        long dateStop = given.containsKey("datestop") ? parseDate(given.get("datestop").arg()) : DEFAULT_DATE_STOP;
        if (dateStart != 0) {
            out.add(Option.of("datestart", formatDate(dateStart)));
        }
        if (dateStop != 0) {
            out.add(Option.of("datestop", formatDate(dateStop)));
        }
        for (String flag : List.of("kerneltz", "contiguous")) {
            if (given.containsKey(flag)) {
                out.add(Option.of(flag));
            }
        }
        return out;
    }

    /** Reads the next decimal field as strtoul does; {@code at[0]} moves past it. */
    private static long field(String text, int[] at) {
        CNumbers.Read number = CNumbers.strtoul(text, at[0], 10);
        at[0] = number.end();
        return number.overflow() ? -1L : number.value();
    }

    private static char next(String text, int[] at) {
        return at[0] < text.length() ? text.charAt(at[0]) : '\0';
    }

    private static int parseDaytime(String text) throws InvalidValueException {
        int[] at = {0};
        long[] parts = new long[3];
        long[] limits = {23, 59, 59};
        for (int i = 0; i < 3; i++) {
            parts[i] = field(text, at);
            char after = next(text, at);
            boolean last = after == '\0' && i > 0;
            if (Long.compareUnsigned(parts[i], limits[i]) > 0 || !(after == ':' && i < 2 || last)) {
                throw new InvalidValueException("invalid time `" + text + "': write hh:mm[:ss] from 00:00:00 to"
                        + " 23:59:59");
            }
            if (last) {
                break;
            }
            at[0]++;
        }
        return (int) (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    }

    private static String formatDaytime(int seconds) {
        return String.format("%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /** An ISO 8601 date in UTC; out-of-range days and months roll over as mktime does. */
    private static long parseDate(String text) throws InvalidValueException {
        long[] parts = {0, 1, 1, 0, 0, 0};
        long[] limits = {2038, 12, 31, 23, 59, 59};
        char[] separators = {'-', '-', 'T', ':', ':', '\0'};
        int[] at = {0};
        for (int i = 0; i < parts.length; i++) {
            parts[i] = field(text, at);
            char after = next(text, at);
            boolean tooSmall = i == 0 && parts[0] < 1970;
            if (tooSmall || Long.compareUnsigned(parts[i], limits[i]) > 0 || after != separators[i] && after != '\0') {
                throw new InvalidValueException("invalid date `" + text + "': write YYYY[-MM[-DD[Thh[:mm[:ss]]]]]"
                        + " with a year from 1970 to 2038");
            }
            if (after == '\0') {
                break;
            }
            at[0]++;
        }
        LocalDateTime moment = LocalDateTime.of((int) parts[0], 1, 1, 0, 0).plusMonths(parts[1] - 1)
                .plusDays(parts[2] - 1).plusHours(parts[3]).plusMinutes(parts[4]).plusSeconds(parts[5]);
        long seconds = moment.toEpochSecond(ZoneOffset.UTC);
        if (seconds < 0) {
            throw new InvalidValueException("date `" + text + "' is before 1970");
        }
        return seconds & CNumbers.UINT32_MAX;
    }

    private static String formatDate(long seconds) {
        LocalDateTime moment = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        return String.format("%04d-%02d-%02dT%02d:%02d:%02d", moment.getYear(), moment.getMonthValue(),
                moment.getDayOfMonth(), moment.getHour(), moment.getMinute(), moment.getSecond());
    }

    /**
     * Comma-separated days, each cut to its first {@code width} characters as iptables' fixed buffer
     * does; an empty element reads as 0.
     */
    private static List<String> elements(String text, int width) {
        List<String> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i == parts.length - 1 && parts[i].isEmpty()) {
                break;
            }
            out.add(parts[i].length() > width ? parts[i].substring(0, width) : parts[i]);
        }
        return out;
    }

    private static long parseMonthdays(String text) throws InvalidValueException {
        long mask = 0;
        for (String day : elements(text, 2)) {
            CNumbers.Read number = CNumbers.strtoul(day, 0, 0);
            boolean whole = number.end() == day.length() || day.isEmpty();
            if (!whole || Long.compareUnsigned(number.value(), 31) > 0) {
                throw new InvalidValueException("`" + day + "' is not a day of the month (1 to 31)");
            }
            mask |= 1L << number.value();
        }
        return mask;
    }

    private static long parseWeekdays(String text) throws InvalidValueException {
        long mask = 0;
        for (String day : elements(text, 3)) {
            CNumbers.Read number = CNumbers.strtoul(day, 0, 0);
            if (number.end() == day.length() || day.isEmpty()) {
                if (number.value() == 0) {
                    throw new InvalidValueException("`" + day + "' is not a weekday: days are 1 (Mon) to 7 (Sun)");
                }
                // C shifts by the count modulo 32 and keeps the low 8 bits of the result.
                mask |= (1L << (number.value() & 31)) & 0xff;
                continue;
            }
            int index = -1;
            for (int i = 0; i < WEEKDAYS.size(); i++) {
                if (day.length() >= 2 && day.startsWith(WEEKDAYS.get(i).substring(0, 2))) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new InvalidValueException("`" + day + "' is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat,"
                        + " Sun or 1 to 7");
            }
            mask |= 1L << (index + 1);
        }
        return mask;
    }

    /** The days of a mask, 1 to {@code last}, as numbers or by name. */
    private static String formatDays(long mask, int last, List<String> names) {
        List<String> out = new ArrayList<>();
        for (int day = 1; day <= last; day++) {
            if ((mask & (1L << day)) != 0) {
                out.add(names == null ? Integer.toString(day) : names.get(day - 1));
            }
        }
        return String.join(",", out);
    }
}
