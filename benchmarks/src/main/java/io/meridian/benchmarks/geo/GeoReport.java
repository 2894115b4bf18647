package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Operation.Outcome;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's raw results ({@code results.json}) and a self-contained HTML report ({@code
 * report.html}: inline SVG charts and a few lines of inline script, nothing fetched from a
 * network). The charts: latency percentiles per second with the fault windows shaded, throughput,
 * visibility per region pair against the injected delay, convergence after the heal, and bytes on
 * the wire per update per link. The script marks each chart whose data the browser laid out ({@code
 * data-charts-rendered} on the body), which the browser test reads back.
 */
public final class GeoReport {
  /** Number of charts in a report. */
  public static final int CHARTS = 7;

  private static final int WIDTH = 820;
  private static final int HEIGHT = 260;
  private static final int LEFT = 64;
  private static final int RIGHT = 150;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

  private GeoReport() {}

  /**
   * Writes both files.
   *
   * @param result the run
   * @param directory where (created if missing)
   * @return the HTML report's path
   * @throws IOException if a file cannot be written
   */
  public static Path write(GeoResult result, Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("results.json"), result.toJson().encodePrettily());
    Path html = directory.resolve("report.html");
    Files.writeString(html, html(result), StandardCharsets.UTF_8);
    return html;
  }

  /**
   * The HTML report.
   *
   * @param result the run
   * @return the document
   */
  public static String html(GeoResult result) {
    StringBuilder page = new StringBuilder();
    page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Meridian geo-replication run, seed ")
        .append(result.config().workload().seed())
        .append("</title><style>body{font-family:sans-serif;max-width:900px;margin:1em auto;}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;")
        .append("text-align:right}.fail{color:#b00}.pass{color:#070}svg{display:block;")
        .append("margin:0.5em 0}</style></head><body>\n");
    page.append("<h1>Meridian geo-replication run</h1>\n");
    verdict(page, result);
    summaryTable(page, result);
    page.append(latencyChart(result));
    page.append(throughputChart(result));
    page.append(visibilityChart(result));
    page.append(convergenceChart(result));
    page.append(healChart(result));
    page.append(healBytesChart(result));
    page.append(bytesChart(result));
    page.append("<h2>Fault schedule</h2><pre>");
    for (GeoRun.Window window : result.windows()) {
      page.append(escape(window.fault().toString()))
          .append("  applied ")
          .append(window.startMillis())
          .append("-")
          .append(window.endMillis())
          .append(" ms\n");
    }
    page.append("</pre>\n");
    healTable(page, result);
    page.append("<script>\n")
        .append("(function(){var n=0;document.querySelectorAll('svg.chart').forEach(function(s){")
        .append("var d=s.querySelectorAll('.data');var ok=false;d.forEach(function(e){")
        .append("var b=e.getBBox();if(b.width>0||b.height>0){ok=true;}});")
        .append("if(ok){n++;s.setAttribute('data-rendered','true');}});")
        .append("document.body.setAttribute('data-charts-rendered',String(n));})();\n")
        .append("</script>\n</body></html>\n");
    return page.toString();
  }

  private static void verdict(StringBuilder page, GeoResult result) {
    if (result.passed()) {
      page.append("<p class=\"pass\"><b>Checker: passed</b> (")
          .append(result.history().size())
          .append(" operations).</p>\n");
      return;
    }
    page.append("<p class=\"fail\"><b>Checker: ")
        .append(result.violations().size())
        .append(" violation(s)</b>; seed ")
        .append(result.config().workload().seed())
        .append(", faults ")
        .append(escape(result.config().faults().toString()))
        .append("</p><ul class=\"fail\">");
    for (String violation :
        result.violations().subList(0, Math.min(20, result.violations().size()))) {
      page.append("<li>").append(escape(violation)).append("</li>");
    }
    page.append("</ul>\n");
  }

  private static void summaryTable(StringBuilder page, GeoResult result) {
    JsonObject summary = result.summary();
    page.append("<table>");
    row(page, "seed", Long.toString(result.config().workload().seed()));
    row(page, "regions", result.regions().toString());
    row(
        page,
        "one-way delays (ms), jitter",
        result.config().delaysMillis() + ", " + result.config().jitterMillis());
    row(
        page,
        "duration (s), target rate (ops/s)",
        result.config().durationMillis() / 1000 + ", " + result.config().workload().rate());
    row(
        page,
        "operations (answered, unknown, failed)",
        summary.getLong("operations")
            + " ("
            + summary.getLong("operationsAnswered")
            + ", "
            + summary.getLong("operationsUnknown")
            + ", "
            + summary.getLong("operationsFailed")
            + ")");
    row(
        page,
        "update latency p50/p99/p999 (ms)",
        quantiles(summary.getJsonObject("updateLatencyMillis")));
    row(
        page,
        "read latency p50/p99/p999 (ms)",
        quantiles(summary.getJsonObject("readLatencyMillis")));
    row(
        page,
        "convergence after heal (ms)",
        summary.getLong("convergenceMillisAfterHeal")
            + (result.converged() ? "" : " (did not converge)"));
    row(
        page,
        "wire bytes per update",
        String.format(Locale.ROOT, "%.0f", summary.getDouble("wireBytesPerUpdate")));
    row(
        page,
        "regions' CPU per update (µs)",
        String.format(Locale.ROOT, "%.0f", summary.getDouble("regionsCpuMicrosPerUpdate")));
    row(
        page,
        "load average before, after",
        String.format(
            Locale.ROOT,
            "%.1f, %.1f",
            summary.getDouble("loadAverageBefore"),
            summary.getDouble("loadAverageAfter")));
    page.append("</table>\n");
  }

  private static void healTable(StringBuilder page, GeoResult result) {
    page.append("<h2>Heals</h2><table><tr><th>#</th><th>fault</th><th>direction</th>")
        .append("<th>reconnected (ms)</th><th>caught up (ms)</th><th>diverged updates</th>")
        .append("<th>their body bytes</th><th>updates in window</th><th>link bytes</th></tr>");
    int number = 0;
    for (HealMeter.Heal heal : result.heals()) {
      page.append("<tr><td>")
          .append(++number)
          .append("</td><td>")
          .append(escape(heal.fault()))
          .append("</td><td>")
          .append(escape(heal.from() + "→" + heal.to()))
          .append("</td><td>")
          .append(heal.reconnectMillis())
          .append("</td><td>")
          .append(heal.convergedMillis())
          .append("</td><td>")
          .append(heal.divergedUpdates())
          .append("</td><td>")
          .append(heal.divergedBodyBytes())
          .append("</td><td>")
          .append(heal.windowUpdates())
          .append("</td><td>")
          .append(heal.linkBytes())
          .append("</td></tr>");
    }
    page.append("</table>\n");
  }

  private static String quantiles(JsonObject q) {
    return q.getLong("p50")
        + " / "
        + q.getLong("p99")
        + " / "
        + q.getLong("p999")
        + " (n="
        + q.getLong("count")
        + ")";
  }

  private static void row(StringBuilder page, String name, String value) {
    page.append("<tr><th>")
        .append(escape(name))
        .append("</th><td>")
        .append(escape(value))
        .append("</td></tr>");
  }

  // ------------------------------------------------------------------ charts

  private static String latencyChart(GeoResult result) {
    Map<Long, List<Long>> perSecond =
        result.perSecond(o -> o.kind().isUpdate() && o.outcome() == Outcome.OK);
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    for (String name : List.of("p50", "p99", "max")) {
      series.put(name, new ArrayList<>());
    }
    perSecond.forEach(
        (second, latencies) -> {
          if (latencies.isEmpty()) {
            return;
          }
          Collections.sort(latencies);
          double x = second + 0.5;
          series.get("p50").add(new double[] {x, GeoResult.percentile(latencies, 0.5)});
          series.get("p99").add(new double[] {x, GeoResult.percentile(latencies, 0.99)});
          series.get("max").add(new double[] {x, latencies.get(latencies.size() - 1)});
        });
    return lineChart(
        "Update latency from the intended start, per second (ms, log scale)",
        "s",
        series,
        true,
        result);
  }

  private static String throughputChart(GeoResult result) {
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    series.put("answered/s", new ArrayList<>());
    series.put("not answered/s", new ArrayList<>());
    Map<Long, List<Long>> ok = result.perSecond(o -> o.outcome() == Outcome.OK);
    Map<Long, List<Long>> bad = result.perSecond(o -> o.outcome() != Outcome.OK);
    ok.forEach(
        (second, list) -> series.get("answered/s").add(new double[] {second + 0.5, list.size()}));
    bad.forEach(
        (second, list) ->
            series.get("not answered/s").add(new double[] {second + 0.5, list.size()}));
    return lineChart("Throughput (operations per second)", "s", series, false, result);
  }

  private static String visibilityChart(GeoResult result) {
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put("p50", new ArrayList<>());
    bars.put("p99", new ArrayList<>());
    bars.put("one-way delay", new ArrayList<>());
    for (String from : result.regions()) {
      for (String to : result.regions()) {
        if (!from.equals(to)) {
          List<Long> delays = result.visibility(from, to);
          categories.add(from + "→" + to);
          bars.get("p50").add((double) Math.max(0, GeoResult.percentile(delays, 0.5)));
          bars.get("p99").add((double) Math.max(0, GeoResult.percentile(delays, 0.99)));
          bars.get("one-way delay")
              .add((double) result.linkDelaysMillis().getOrDefault(from + ">" + to, 0L));
        }
      }
    }
    return barChart("Visibility per region pair (ms) against the injected delay", categories, bars);
  }

  private static String convergenceChart(GeoResult result) {
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put("final state at (ms)", new ArrayList<>());
    for (String region : result.regions()) {
      categories.add(region);
      bars.get("final state at (ms)")
          .add((double) result.matchedMillis().getOrDefault(region, result.convergedMillis()));
    }
    return barChart(
        "Convergence after the heal (ms)"
            + (result.converged() ? "" : ": NOT converged within the bound"),
        categories,
        bars);
  }

  private static String healChart(GeoResult result) {
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put("reconnected (ms)", new ArrayList<>());
    bars.put("caught up (ms)", new ArrayList<>());
    int number = 0;
    for (HealMeter.Heal heal : result.heals()) {
      categories.add(healLabel(++number, heal));
      bars.get("reconnected (ms)").add((double) Math.max(0, heal.reconnectMillis()));
      bars.get("caught up (ms)").add((double) Math.max(0, heal.convergedMillis()));
    }
    categories.add("final");
    bars.get("reconnected (ms)").add(0.0);
    bars.get("caught up (ms)").add((double) result.convergedMillis());
    return barChart(
        "Convergence after each heal (ms from the heal; 0: not within the bound, see the table)",
        categories,
        bars);
  }

  private static String healBytesChart(GeoResult result) {
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put("link bytes/update", new ArrayList<>());
    bars.put("diverged body bytes/update", new ArrayList<>());
    int number = 0;
    for (HealMeter.Heal heal : result.heals()) {
      categories.add(healLabel(++number, heal));
      bars.get("link bytes/update").add(heal.bytesPerUpdate());
      bars.get("diverged body bytes/update")
          .add(heal.divergedBodyBytes() / (double) Math.max(1, heal.divergedUpdates()));
    }
    categories.add("whole run");
    bars.get("link bytes/update").add(result.summary().getDouble("wireBytesPerUpdate"));
    bars.get("diverged body bytes/update").add(0.0);
    return barChart(
        "Bytes per update after each heal: the link's bytes over the fault and the catch-up per"
            + " update acknowledged at the sender, against the updates' own size",
        categories,
        bars);
  }

  private static String healLabel(int number, HealMeter.Heal heal) {
    return "#" + number + " " + heal.from() + "→" + heal.to();
  }

  private static String bytesChart(GeoResult result) {
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put("bytes/update", new ArrayList<>());
    double acknowledged = Math.max(1, result.acknowledgedUpdates());
    result
        .linkBytes()
        .forEach(
            (link, bytes) -> {
              categories.add(link.replace(">", "→"));
              bars.get("bytes/update").add(bytes / acknowledged);
            });
    return barChart("Bytes on the wire per update, per directed link", categories, bars);
  }

  private static String lineChart(
      String title,
      String unit,
      Map<String, List<double[]>> series,
      boolean log,
      GeoResult result) {
    double xMax = Math.max(1, result.config().durationMillis() / 1000.0);
    double yMax = 1;
    for (List<double[]> points : series.values()) {
      for (double[] point : points) {
        yMax = Math.max(yMax, point[1]);
      }
    }
    Scale scale = new Scale(xMax, yMax, log);
    StringBuilder svg = open(title);
    for (GeoRun.Window window : result.windows()) {
      double x0 = scale.x(window.startMillis() / 1000.0);
      double x1 = scale.x(Math.min(xMax, window.endMillis() / 1000.0));
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"fault\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f4c7c3\""
                  + " opacity=\"0.6\"><title>%s</title></rect>"
                  + "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#a33\">%s</text>",
              x0,
              TOP,
              Math.max(1, x1 - x0),
              HEIGHT - TOP - BOTTOM,
              escape(window.fault().toString()),
              x0 + 2,
              TOP + 10,
              escape(window.fault().kind().name().toLowerCase(Locale.ROOT))));
    }
    axes(svg, scale, unit);
    int color = 0;
    for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
      StringBuilder points = new StringBuilder();
      for (double[] point : entry.getValue()) {
        points.append(
            String.format(Locale.ROOT, "%.1f,%.1f ", scale.x(point[0]), scale.y(point[1])));
      }
      svg.append("<polyline class=\"data\" fill=\"none\" stroke-width=\"1.5\" stroke=\"")
          .append(COLORS[color % COLORS.length])
          .append("\" points=\"")
          .append(points)
          .append("\"/>");
      legend(svg, color, entry.getKey());
      color++;
    }
    return svg.append("</svg>\n").toString();
  }

  private static String barChart(
      String title, List<String> categories, Map<String, List<Double>> bars) {
    double yMax = 1;
    for (List<Double> values : bars.values()) {
      for (double value : values) {
        yMax = Math.max(yMax, value);
      }
    }
    Scale scale = new Scale(Math.max(1, categories.size()), yMax, false);
    StringBuilder svg = open(title);
    axes(svg, scale, null);
    double groupWidth = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, categories.size());
    double barWidth = groupWidth * 0.8 / bars.size();
    int color = 0;
    for (Map.Entry<String, List<Double>> entry : bars.entrySet()) {
      for (int i = 0; i < entry.getValue().size(); i++) {
        double value = entry.getValue().get(i);
        double x = LEFT + i * groupWidth + groupWidth * 0.1 + color * barWidth;
        double y = scale.y(value);
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect class=\"data\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>%s %s: %.1f</title></rect>",
                x,
                y,
                barWidth,
                Math.max(0.5, HEIGHT - BOTTOM - y),
                COLORS[color % COLORS.length],
                escape(categories.get(i)),
                escape(entry.getKey()),
                value));
      }
      legend(svg, color, entry.getKey());
      color++;
    }
    for (int i = 0; i < categories.size(); i++) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>",
              LEFT + (i + 0.5) * groupWidth,
              HEIGHT - BOTTOM + 14,
              escape(categories.get(i))));
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder open(String title) {
    return new StringBuilder()
        .append(
            String.format(
                Locale.ROOT,
                "<h2>%s</h2><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
                    + " height=\"%d\" viewBox=\"0 0 %d %d\">",
                escape(title),
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
  }

  private static void axes(StringBuilder svg, Scale scale, String unit) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
            LEFT,
            TOP,
            LEFT,
            HEIGHT - BOTTOM,
            LEFT,
            HEIGHT - BOTTOM,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM));
    for (double tick : scale.yTicks()) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>"
                  + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>",
              LEFT - 4,
              scale.y(tick) + 3,
              format(tick),
              LEFT + 1,
              scale.y(tick),
              WIDTH - RIGHT,
              scale.y(tick)));
    }
    if (unit != null) {
      for (int i = 0; i <= 5; i++) {
        double x = scale.xMax * i / 5;
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s %s</text>",
                scale.x(x),
                HEIGHT - BOTTOM + 14,
                format(x),
                unit));
      }
    }
  }

  private static void legend(StringBuilder svg, int index, String name) {
    int y = TOP + 12 + index * 16;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
            WIDTH - RIGHT + 10,
            y - 9,
            COLORS[index % COLORS.length],
            WIDTH - RIGHT + 24,
            y,
            escape(name)));
  }

  private static String format(double value) {
    return value == Math.rint(value)
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  /** Maps data to the plot area; a log scale starts at 1 ms. */
  private static final class Scale {
    final double xMax;
    final double yMax;
    final boolean log;

    Scale(double xMax, double yMax, boolean log) {
      this.xMax = xMax;
      this.yMax = yMax;
      this.log = log;
    }

    double x(double value) {
      return LEFT + (WIDTH - LEFT - RIGHT) * value / xMax;
    }

    double y(double value) {
      double fraction =
          log
              ? Math.log10(Math.max(1, value)) / Math.max(1e-9, Math.log10(Math.max(10, yMax)))
              : value / yMax;
      return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * Math.min(1, fraction);
    }

    List<Double> yTicks() {
      List<Double> ticks = new ArrayList<>();
      if (log) {
        for (double tick = 1; tick <= Math.max(10, yMax); tick *= 10) {
          ticks.add(tick);
        }
      } else {
        for (int i = 0; i <= 4; i++) {
          ticks.add(yMax * i / 4);
        }
      }
      return ticks;
    }
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
