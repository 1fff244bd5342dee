// The web application's one script; pages work without it. It draws charts with the vendored Apache ECharts
// (loaded only on pages that have a chart), fills trade typeahead lists, and shows progress while a long form runs.
(function () {
  'use strict';

  var charts = document.querySelectorAll('.chart[data-chart]');
  if (charts.length > 0) {
    var script = document.createElement('script');
    script.src = '/lib/echarts/echarts.custom.min.js';
    script.onload = function () {
      var drawn = [];
      charts.forEach(function (element) {
        var chart = window.echarts.init(element, null, { renderer: 'canvas' });
        chart.setOption(JSON.parse(element.getAttribute('data-chart')));
        drawn.push(chart);
      });
      window.addEventListener('resize', function () { drawn.forEach(function (c) { c.resize(); }); });
      document.body.setAttribute('data-charts', 'drawn');
      // When, on the page's own clock (from the start of the navigation that led here), for the timing tests.
      document.body.setAttribute('data-charts-at', String(Math.round(performance.now())));
    };
    document.head.appendChild(script);
  }

  // On the sign-in page the chart library is run once while the person types (when the browser is idle). The browser
  // keeps the code it compiled for a script it has run, so the first page after sign-in draws its charts without
  // compiling the library again (measured: about 0.2 s less on the provincial dashboard in a fresh browser).
  var ahead = document.querySelector('link[data-run-when-idle]');
  if (ahead && charts.length === 0) {
    (window.requestIdleCallback || window.setTimeout)(function () {
      var early = document.createElement('script');
      early.src = ahead.getAttribute('href');
      early.onload = function () { document.body.setAttribute('data-charts', 'ready'); };
      document.head.appendChild(early);
    });
  }

  // Trade typeahead: an input with data-suggest fills its datalist from the service as the clerk types
  // (official names, colloquial words such as 月嫂, traditional characters, pinyin initials).
  document.querySelectorAll('input[data-suggest]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    var timer = 0;
    var asked = '';
    input.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim().slice(0, 20);
        if (q.length === 0 || q === asked || !list) { return; }
        asked = q;
        fetch(input.getAttribute('data-suggest') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) {
            var options = items.map(function (item) {
              var option = document.createElement('option');
              option.value = item.name;
              option.label = (item.matchedTerm && item.matchedTerm !== item.name ? item.matchedTerm + ' → ' : '') + item.name + '（' + item.familyName + '）';
              return option;
            });
            list.replaceChildren.apply(list, options);
            input.setAttribute('data-suggested', String(options.length));
          })
          .catch(function () { /* typing goes on without suggestions */ });
      }, 120);
    });
  });

  // Long work (a dispatch dry run, a reindex): the form says it is working and cannot be sent twice.
  document.querySelectorAll('form[data-busy]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var status = form.querySelector('.busy');
      if (status) { status.hidden = false; }
      window.setTimeout(function () {
        form.querySelectorAll('button[type=submit]').forEach(function (button) { button.disabled = true; });
      }, 0);
    });
  });
})();
