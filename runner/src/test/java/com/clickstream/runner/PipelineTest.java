package com.clickstream.runner;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real SQL files on Flink (MiniCluster, parallelism 1) over one fixed dataset. Every expected value
 * below was worked out by hand from the dataset; the comments show the working.
 *
 * Watermark W = max event time read - 1 minute (one input file: one shard). Window [a, b) fires when W
 * reaches b - 1 ms. An event is late when the first window it belongs to, in any output, has fired: it
 * is then counted in no window and recorded in late_events (docs/SQL.md, "Lateness").
 */
class PipelineTest {
    @TempDir
    static Path tmp;
    static Path out;

    static String ev(String id, String type, String user, String site, String country, String time,
                     String page, String context) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"user_id\":\"" + user
                + "\",\"session_id\":\"s-" + user + "\",\"site\":\"" + site + "\",\"country\":\"" + country
                + "\",\"event_time\":" + time + (page == null ? "" : ",\"page\":" + page)
                + ",\"device\":{\"type\":\"mobile\"}" + (context == null ? "" : ",\"context\":" + context) + "}";
    }

    static final String P1 = "{\"url\":\"/p1\",\"type\":\"product\",\"category\":\"shoes\"}";
    static final String P2 = "{\"url\":\"/p2\",\"type\":\"category\"}";
    static final String P3 = "{\"url\":\"/p3\",\"type\":\"product\"}";
    static final String CHECKOUT = "{\"url\":\"/checkout\",\"type\":\"checkout\"}";

    static final List<String> DATASET = List.of(
            "not json at all",                                                                        // not_json
            // e01: exactly on the 10:00 boundary -> window [10:00,10:01). W = 09:59:00
            ev("e01", "click", "u1", "shop.de", "de", "\"2026-11-20T10:00:00.000Z\"", P1, null),
            // e02: 1 ms before the 10:01 boundary -> still [10:00,10:01). W = 09:59:59.999
            ev("e02", "click", "u2", "shop.de", "DE", "\"2026-11-20T10:00:59.999Z\"", P1, null),
            // e03: exactly on the 10:01 boundary -> [10:01,10:02). W = 10:00:00
            ev("e03", "click", "u3", "shop.de", "DE", "\"2026-11-20T10:01:00Z\"", P2, null),
            // duplicate delivery of e01 (producer retry): counted once
            ev("e01", "click", "u1", "shop.de", "de", "\"2026-11-20T10:00:00.000Z\"", P1, null),
            // e04: epoch millis (1795168830000 = 10:00:30Z), stringified JSON context
            ev("e04", "purchase", "u1", "shop.de", "DE", "1795168830000", CHECKOUT,
                    "\"{\\\"campaign\\\":\\\"bf-2026\\\",\\\"cart_value\\\":129.90,\\\"experiment\\\":\\\"checkout-v2\\\"}\""),
            // e05: context given as an object (accepted too), cart value as a string
            ev("e05", "purchase", "u2", "shop.de", "DE", "\"2026-11-20T10:00:40Z\"", CHECKOUT,
                    "{\"campaign\":\"bf-2026\",\"cart_value\":\"20.10\"}"),
            "[1,2,3]",                                                                                // not_json (not an object)
            // e12: another site
            ev("e12", "purchase", "u9", "shop.fr", "FR", "\"2026-11-20T10:00:45Z\"", CHECKOUT,
                    "\"{\\\"campaign\\\":\\\"bf-2026\\\",\\\"cart_value\\\":10}\""),
            // e06: no campaign, non-numeric cart value. W = 10:00:10
            ev("e06", "purchase", "u4", "shop.de", "FR", "\"2026-11-20T10:01:10Z\"", CHECKOUT,
                    "\"{\\\"experiment\\\":\\\"checkout-v2\\\",\\\"cart_value\\\":\\\"n/a\\\"}\""),
            // e07: jumps ahead. W = 10:02:30 -> fires [10:00,10:01) and [10:01,10:02), and HOP windows ending 10:01, 10:02
            ev("e07", "page_view", "u5", "shop.de", "DE", "\"2026-11-20T10:03:30Z\"", P3, null),
            // e08: 100 s behind the max: [10:01,10:02) already fired (W 10:02:30 >= 10:01:59.999), and it is the
            //      first window of e08 in every windowed output -> late: in late_events, in no window (not
            //      even the HOP windows ending 10:03 .. 10:06, which are still open: one decision per event)
            ev("e08", "click", "u6", "shop.de", "DE", "\"2026-11-20T10:01:50Z\"", P2, null),
            // e09, e10, e11: out of order, but [10:02,10:03) is still open (W = 10:02:30 < 10:03)
            ev("e09", "click", "u7", "shop.de", "DE", "\"2026-11-20T10:02:40Z\"", P2, null),
            ev("e10", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:02:10Z\"", P1, null),
            // e11: an offset: 11:02:20+01:00 = 10:02:20Z; no page object -> page_type 'unknown', no page_url
            ev("e11", "click", "u8", "shop.de", "DE", "\"2026-11-20T11:02:20+01:00\"", null, null),
            // rejected, one per rule
            "{\"event_type\":\"click\",\"user_id\":\"u1\",\"session_id\":\"s\",\"site\":\"shop.de\",\"country\":\"DE\",\"event_time\":\"2026-11-20T10:02:00Z\"}",
            "{\"event_id\":\"r2\",\"user_id\":\"u1\",\"session_id\":\"s\",\"site\":\"shop.de\",\"country\":\"DE\",\"event_time\":\"2026-11-20T10:02:00Z\"}",
            "{\"event_id\":\"r3\",\"event_type\":\"click\",\"user_id\":\"  \",\"session_id\":\"s\",\"site\":\"shop.de\",\"country\":\"DE\",\"event_time\":\"2026-11-20T10:02:00Z\"}",
            "{\"event_id\":\"r4\",\"event_type\":\"click\",\"user_id\":\"u1\",\"site\":\"shop.de\",\"country\":\"DE\",\"event_time\":\"2026-11-20T10:02:00Z\"}",
            "{\"event_id\":\"r5\",\"event_type\":\"click\",\"user_id\":\"u1\",\"session_id\":\"s\",\"site\":null,\"country\":\"DE\",\"event_time\":\"2026-11-20T10:02:00Z\"}",
            "{\"event_id\":\"r6\",\"event_type\":\"click\",\"user_id\":\"u1\",\"session_id\":\"s\",\"site\":\"shop.de\",\"country\":{\"iso\":\"DE\"},\"event_time\":\"2026-11-20T10:02:00Z\"}",
            "{\"event_id\":\"r7\",\"event_type\":\"click\",\"user_id\":\"u1\",\"session_id\":\"s\",\"site\":\"shop.de\",\"country\":\"DE\"}",
            ev("r8", "click", "u1", "shop.de", "DE", "\"20/11/2026 10:02\"", P1, null),                 // bad_timestamp
            ev("r9", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:02:00\"", P1, null),              // bad_timestamp: no zone
            ev("r10", "click", "u1", "shop.de", "DE", "\"1999-12-31T23:59:59.999Z\"", P1, null),        // absurd: before 2000
            ev("r11", "click", "u1", "shop.de", "DE", "\"2099-01-01T00:00:00Z\"", P1, null),          // absurd: future (must not move the watermark)
            // blank is empty or only whitespace: a tab, a line feed, CR-LF
            ev("r12", "click", "\\t", "shop.de", "DE", "\"2026-11-20T10:02:00Z\"", P1, null),             // missing_field:user_id
            ev("r13", "click", "u1", "\\n", "DE", "\"2026-11-20T10:02:00Z\"", P1, null),                  // missing_field:site
            ev("r14", "click", "u1", "shop.de", "\\r\\n", "\"2026-11-20T10:02:00Z\"", P1, null),          // missing_field:country
            ev("r15", "click", "u1", "shop.de", "DE", "\"\\t\"", P1, null),                               // missing_field:event_time
            // two valid events glued together, and an object with text after it: not_json, whole payload kept
            ev("g1", "click", "u1", "shop.de", "DE", "\"2026-11-20T10:02:01Z\"", P1, null)
                    + ev("g2", "click", "u2", "shop.de", "DE", "\"2026-11-20T10:02:02Z\"", P1, null),
            ev("g3", "click", "u3", "shop.de", "DE", "\"2026-11-20T10:02:03Z\"", P1, null) + " x"
    );

    @BeforeAll
    static void run() throws Exception {
        Path input = tmp.resolve("events.jsonl");
        AppHarness.write(input, DATASET);
        out = tmp.resolve("out");
        AppHarness.runToEnd(input, out);
    }

    @Test
    void activeUsersTumbling() {
        assertEquals(List.of(
                "10:00-10:01|shop.de|DE|2",   // u1 (e01, e04), u2 (e02, e05)
                "10:00-10:01|shop.fr|FR|1",   // u9
                "10:01-10:02|shop.de|DE|1",   // u3 (e08/u6 was late)
                "10:01-10:02|shop.de|FR|1",   // u4
                "10:02-10:03|shop.de|DE|3",   // u7, u1, u8
                "10:03-10:04|shop.de|DE|1"),  // u5
                AppHarness.windowRows(out, "active_users_1m", "site", "country", "active_users"));
    }

    @Test
    void activeUsersSliding() {
        assertEquals(List.of(
                "09:56-10:01|shop.de|DE|2",   // u1 u2
                "09:56-10:01|shop.fr|FR|1",
                "09:57-10:02|shop.de|DE|3",   // u1 u2 u3
                "09:57-10:02|shop.de|FR|1",
                "09:57-10:02|shop.fr|FR|1",
                "09:58-10:03|shop.de|DE|5",   // u1 u2 u3 u7 u8 (u6: e08 late)
                "09:58-10:03|shop.de|FR|1",
                "09:58-10:03|shop.fr|FR|1",
                "09:59-10:04|shop.de|DE|6",   // + u5
                "09:59-10:04|shop.de|FR|1",
                "09:59-10:04|shop.fr|FR|1",
                "10:00-10:05|shop.de|DE|6",
                "10:00-10:05|shop.de|FR|1",
                "10:00-10:05|shop.fr|FR|1",
                "10:01-10:06|shop.de|DE|5",   // u3 u7 u1 u8 u5
                "10:01-10:06|shop.de|FR|1",
                "10:02-10:07|shop.de|DE|4",   // u7 u1 u8 u5
                "10:03-10:08|shop.de|DE|1"),  // u5
                AppHarness.windowRows(out, "active_users_5m", "site", "country", "active_users"));
    }

    @Test
    void clicks() {
        assertEquals(List.of(
                "10:00-10:01|shop.de|DE|product|2",   // e01 (its duplicate not counted), e02
                "10:01-10:02|shop.de|DE|category|1",  // e03 (e08 late)
                "10:02-10:03|shop.de|DE|category|1",  // e09
                "10:02-10:03|shop.de|DE|product|1",   // e10
                "10:02-10:03|shop.de|DE|unknown|1"),  // e11
                AppHarness.windowRows(out, "clicks_1m", "site", "country", "page_type", "clicks"));
    }

    @Test
    void pageClicksLateTolerant() {
        assertEquals(List.of(
                "10:00-10:01|shop.de|/p1|2|10:00:00.000|10:00:59.999",
                "10:01-10:02|shop.de|/p2|1|10:01:00.000|10:01:00.000",
                "10:02-10:03|shop.de|/p1|1|10:02:10.000|10:02:10.000",
                "10:02-10:03|shop.de|/p2|1|10:02:40.000|10:02:40.000"),
                AppHarness.windowRows(out, "page_clicks_late", "site", "page_url", "clicks", "first_click_at", "last_click_at"));
    }

    @Test
    void cartValueFromStringifiedContext() {
        assertEquals(List.of(
                "10:00-10:01|shop.de|bf-2026|2|150.00",  // 129.90 + 20.10
                "10:00-10:01|shop.fr|bf-2026|1|10.00",
                "10:01-10:02|shop.de|(none)|1|0.00"),   // no campaign, cart_value "n/a"
                AppHarness.windowRows(out, "cart_value_by_campaign", "site", "campaign", "purchases", "cart_value"));
    }

    @Test
    void rejectedEventsHaveEveryReasonAndAccountForEveryRecord() {
        Map<String, Long> byReason = AppHarness.rows(out, "rejected_events").stream()
                .collect(Collectors.groupingBy(r -> r.get("reason").asText(), TreeMap::new, Collectors.counting()));
        Map<String, Long> expected = new TreeMap<>(Map.of(
                "not_json", 4L,
                "missing_field:event_id", 1L, "missing_field:event_type", 1L, "missing_field:user_id", 2L,
                "missing_field:session_id", 1L, "missing_field:site", 2L, "missing_field:country", 2L,
                "missing_field:event_time", 2L, "bad_timestamp", 2L));
        expected.put("absurd_timestamp", 2L);
        assertEquals(expected, byReason);
        // read = 32 lines = 13 valid deliveries (12 distinct events + 1 duplicate) + 19 rejected;
        // the 12 distinct events = 11 on time (counted) + 1 late (e08)
        assertEquals(32, DATASET.size());
        assertEquals(19, AppHarness.rows(out, "rejected_events").size());
        JsonNode glued = AppHarness.rows(out, "rejected_events").stream()
                .filter(r -> r.get("payload").asText().contains("\"g2\"")).findFirst().orElseThrow();
        assertEquals("not_json", glued.get("reason").asText());
        assertEquals(DATASET.get(DATASET.size() - 2), glued.get("payload").asText());
        JsonNode first = AppHarness.rows(out, "rejected_events").stream()
                .filter(r -> r.get("reason").asText().equals("not_json") && r.get("payload").asText().startsWith("not"))
                .findFirst().orElseThrow();
        assertEquals("not json at all", first.get("payload").asText());
        assertEquals(true, first.get("received_at").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)?"));
    }

    @Test
    void lateEventIsRecordedWithTheOutputsThatHadClosedAndCountedNowhere() {
        List<JsonNode> late = AppHarness.rows(out, "late_events");
        assertEquals(1, late.size());
        JsonNode e08 = late.get(0);
        assertEquals("e08", e08.get("event_id").asText());
        assertEquals("active_users_1m,active_users_5m,cart_value_by_campaign,clicks_1m,page_clicks_late",
                e08.get("closed_outputs").asText());
        assertEquals("10:01:50.000", AppHarness.hms(e08.get("event_time")));
        assertEquals("10:02:30.000", AppHarness.hms(e08.get("watermark_time"))); // e07 (10:03:30) - 1 min
        assertEquals("click|u6|shop.de|DE|category|/p2", String.join("|", e08.get("event_type").asText(),
                e08.get("user_id").asText(), e08.get("site").asText(), e08.get("country").asText(),
                e08.get("page_type").asText(), e08.get("page_url").asText()));
        assertEquals(true, e08.get("received_at").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)?"));
    }

    @Test
    void sourceRegionFillsRegionInEveryOutputRow() {
        List<String> regions = new ArrayList<>();
        int rows = 0;
        for (String o : List.of("active_users_1m", "active_users_5m", "clicks_1m", "page_clicks_late",
                "cart_value_by_campaign", "rejected_events", "late_events")) {
            for (JsonNode r : AppHarness.rows(out, o)) {
                rows++;
                if (!AppHarness.REGION.equals(r.get("region").asText())) regions.add(o + ":" + r.get("region"));
            }
        }
        assertEquals(6 + 18 + 5 + 4 + 3 + 19 + 1, rows);
        assertEquals(List.of(), regions);
    }
}
