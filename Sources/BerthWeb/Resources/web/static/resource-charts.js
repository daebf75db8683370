/*
 * Berth — the instance page's live CPU, memory and network charts.
 *
 * Canvases `#chart-cpu`, `#chart-memory`, `#chart-network` and their value
 * labels `#chart-*-value`; colours come from app.css (`--chart-*`), re-read
 * when the theme changes.
 *
 * Publishes `window.BerthCharts.ResourceCharts`; console.js feeds it. Needs
 * app.js (`window.Berth`, for formatting) by the time samples arrive.
 */
(function () {
  'use strict';

  var CHART_SAMPLES = 60;

  function cssVariable(element, name, fallback) {
    var value = window.getComputedStyle(element).getPropertyValue(name).trim();
    return value || fallback;
  }

  /**
   * A small line chart of the last CHART_SAMPLES samples, one or two series.
   * `maximum(samples)` decides the y scale.
   */
  function LineChart(canvas, seriesCount, maximum) {
    this.canvas = canvas;
    this.series = [];
    for (var i = 0; i < seriesCount; i++) this.series.push([]);
    this.maximum = maximum;
    var self = this;
    if (window.ResizeObserver) {
      new ResizeObserver(function () { self.draw(); }).observe(canvas);
    } else {
      window.addEventListener('resize', function () { self.draw(); });
    }
  }

  LineChart.prototype.push = function (values) {
    var self = this;
    values.forEach(function (value, i) {
      var series = self.series[i];
      series.push(value);
      if (series.length > CHART_SAMPLES) series.shift();
    });
    this.draw();
  };

  LineChart.prototype.draw = function () {
    var canvas = this.canvas;
    var width = canvas.clientWidth;
    var height = canvas.clientHeight;
    if (width === 0 || height === 0) return; // hidden; the ResizeObserver calls again
    var ratio = window.devicePixelRatio || 1;
    var pixelWidth = Math.round(width * ratio);
    var pixelHeight = Math.round(height * ratio);
    if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
      canvas.width = pixelWidth;
      canvas.height = pixelHeight;
    }
    var context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    // Gridlines at quarters, aligned to device pixels so they stay one pixel thin.
    context.strokeStyle = cssVariable(canvas, '--chart-grid', 'rgba(128,128,128,0.2)');
    context.lineWidth = 1 / ratio;
    context.beginPath();
    for (var quarter = 1; quarter < 4; quarter++) {
      var y = Math.round(height * quarter / 4 * ratio) / ratio + 0.5 / ratio;
      context.moveTo(0, y);
      context.lineTo(width, y);
    }
    context.stroke();

    var all = [].concat.apply([], this.series);
    if (all.length === 0) return;
    var top = Math.max(this.maximum(all), 1e-9);
    var step = width / (CHART_SAMPLES - 1);
    var padding = 2; // keeps the line from being clipped at the top and bottom edges
    var colours = [
      cssVariable(canvas, '--chart-line', '#2f6fd1'),
      cssVariable(canvas, '--chart-line-2', '#d9822b')
    ];

    this.series.forEach(function (series, index) {
      if (series.length === 0) return;
      var points = series.map(function (value, i) {
        var x = width - (series.length - 1 - i) * step;
        var fraction = Math.max(0, Math.min(1, value / top));
        return [x, padding + (height - 2 * padding) * (1 - fraction)];
      });
      context.beginPath();
      points.forEach(function (point, i) {
        if (i === 0) context.moveTo(point[0], point[1]);
        else context.lineTo(point[0], point[1]);
      });
      context.strokeStyle = colours[index];
      context.lineWidth = 1.5;
      context.lineJoin = 'round';
      context.stroke();

      if (index === 0) {
        // A faint area under the first series makes the shape readable at a glance.
        context.lineTo(points[points.length - 1][0], height);
        context.lineTo(points[0][0], height);
        context.closePath();
        context.globalAlpha = 0.14;
        context.fillStyle = colours[index];
        context.fill();
        context.globalAlpha = 1;
      }
    });
  };

  function largest(values) {
    return values.reduce(function (a, b) { return Math.max(a, b); }, 0);
  }

  /** CPU, memory and network charts plus their value labels. */
  function ResourceCharts() {
    var self = this;
    this.memoryLimit = 0;
    this.previousNetwork = null;
    this.values = {
      cpu: document.getElementById('chart-cpu-value'),
      memory: document.getElementById('chart-memory-value'),
      network: document.getElementById('chart-network-value')
    };
    this.charts = [];
    this.cpu = this.chart('chart-cpu', 1, function (values) { return Math.max(100, largest(values)); });
    this.memory = this.chart('chart-memory', 1, function (values) {
      return self.memoryLimit > 0 ? self.memoryLimit : largest(values) * 1.2;
    });
    this.network = this.chart('chart-network', 2, function (values) { return Math.max(1024, largest(values) * 1.2); });
    document.addEventListener('berth:themechange', function () { self.redraw(); });
  }

  ResourceCharts.prototype.chart = function (id, seriesCount, maximum) {
    var canvas = document.getElementById(id);
    if (!canvas || !canvas.getContext) return null;
    var chart = new LineChart(canvas, seriesCount, maximum);
    this.charts.push(chart);
    return chart;
  };

  ResourceCharts.prototype.redraw = function () {
    this.charts.forEach(function (chart) { chart.draw(); });
  };

  ResourceCharts.prototype.setValue = function (name, content) {
    var element = this.values[name];
    if (!element) return;
    if (typeof content === 'string') element.textContent = content;
    else element.replaceChildren.apply(element, content);
  };

  function labelledRate(className, arrow, bytesPerSecond) {
    var span = document.createElement('span');
    span.className = className;
    span.textContent = arrow + '\u00a0' + window.Berth.formatRate(bytesPerSecond);
    return span;
  }

  ResourceCharts.prototype.add = function (stats) {
    var format = window.Berth;
    if (typeof stats.cpuPercent === 'number') {
      if (this.cpu) this.cpu.push([stats.cpuPercent]);
      this.setValue('cpu', format.formatPercent(stats.cpuPercent));
    }
    if (typeof stats.memoryBytes === 'number') {
      this.memoryLimit = stats.memoryLimitBytes || 0;
      if (this.memory) this.memory.push([stats.memoryBytes]);
      this.setValue('memory', format.formatMemory(stats.memoryBytes, this.memoryLimit));
    }
    this.addNetwork(stats.networkReceivedBytes, stats.networkTransmittedBytes);
  };

  /** The counters are cumulative; rates come from the difference between samples. */
  ResourceCharts.prototype.addNetwork = function (received, transmitted) {
    if (typeof received !== 'number' || typeof transmitted !== 'number') return;
    var now = Date.now();
    var previous = this.previousNetwork;
    this.previousNetwork = { received: received, transmitted: transmitted, time: now };
    if (!previous) return;
    var seconds = (now - previous.time) / 1000;
    if (seconds <= 0) return;
    // A container restart resets the counters; a negative delta is not traffic.
    var receiveRate = Math.max(0, received - previous.received) / seconds;
    var transmitRate = Math.max(0, transmitted - previous.transmitted) / seconds;
    if (this.network) this.network.push([receiveRate, transmitRate]);
    this.setValue('network', [
      labelledRate('chart-rx', '↓', receiveRate),
      document.createTextNode(' '),
      labelledRate('chart-tx', '↑', transmitRate)
    ]);
  };

  /** When the server stops, the last numbers would be misleading. */
  ResourceCharts.prototype.clearValues = function () {
    this.previousNetwork = null;
    this.setValue('cpu', '–');
    this.setValue('memory', '–');
    this.setValue('network', '–');
  };

  window.BerthCharts = Object.freeze({ ResourceCharts: ResourceCharts });
})();
