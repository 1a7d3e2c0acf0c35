package dev.backchannel.benchmarks.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import java.text.DecimalFormat;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;

/** The chart styles the results use (bar charts, log-scale bars, labelled baselines) and PNG output. */
final class Charts {
  static final int WIDTH = 960;
  static final int HEIGHT = 540;

  private Charts() {}

  static JFreeChart bars(String title, String categoryAxis, String valueAxis, CategoryDataset d) {
    JFreeChart c = ChartFactory.createBarChart(title, categoryAxis, valueAxis, d, PlotOrientation.VERTICAL,
        true, false, false);
    c.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    c.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    return c;
  }

  static JFreeChart logBars(String title, String categoryAxis, String valueAxis, CategoryDataset d) {
    JFreeChart c = bars(title, categoryAxis, valueAxis, d);
    LogAxis log = new LogAxis(valueAxis + " (log scale)");
    log.setBase(10);
    log.setSmallestValue(0.1);
    log.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten
    log.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
    log.setMinorTickMarksVisible(true);
    c.getCategoryPlot().setRangeAxis(log);
    return c;
  }

  /** A labelled horizontal line at {@code value} (a baseline measured in the same run). */
  static void marker(JFreeChart c, Double value, String label) {
    if (value == null) {
      return;
    }
    CategoryPlot plot = c.getCategoryPlot();
    ValueMarker m = new ValueMarker(value, Color.DARK_GRAY, new BasicStroke(1.5f,
        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
    m.setLabel(label + String.format(" (%,.0f)", value));
    m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
    plot.addRangeMarker(m);
    if (plot.getRangeAxis().getUpperBound() < value * 1.1) {
      plot.getRangeAxis().setUpperBound(value * 1.1);
    }
  }

  static Path save(JFreeChart c, Path file) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), c, WIDTH, HEIGHT);
    return file;
  }

  static String bytes(int size) {
    return size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
  }
}
