/* aireg.js - small enhancements; every page works without it (docs/web.md).
 *  - moves the focus to an error summary, so keyboard and screen-reader users
 *    start where the problems are listed;
 *  - live character counters under fields with a maximum length. */
(function () {
  'use strict';

  var summary = document.querySelector('.aireg-error-summary');
  if (summary) {
    summary.focus();
  }

  /* One polite live region for all counters, updated only after typing pauses:
   * announcing every keystroke would drown out what is typed. */
  var live = document.createElement('div');
  live.className = 'aireg-visually-hidden';
  live.setAttribute('aria-live', 'polite');
  document.body.appendChild(live);
  var timer = null;

  function length(s) {
    /* Characters as the server counts them: code points, not UTF-16 units. */
    return Array.from(s).length;
  }

  function fill(pattern, n) {
    return pattern.replace('{n}', String(n));
  }

  var fields = document.querySelectorAll('input[data-max], textarea[data-max]');
  Array.prototype.forEach.call(fields, function (field) {
    var note = document.getElementById(field.id + '-max');
    if (!note || !note.dataset.left || !note.dataset.over) {
      return;
    }
    var max = parseInt(field.getAttribute('data-max'), 10);
    var base = note.textContent;
    var count = document.createElement('span');
    count.className = 'aireg-counter__live';
    note.appendChild(document.createTextNode(' '));
    note.appendChild(count);

    function update(announce) {
      var left = max - length(field.value);
      var text = left >= 0 ? fill(note.dataset.left, left) : fill(note.dataset.over, -left);
      count.textContent = text;
      note.classList.toggle('aireg-counter--over', left < 0);
      if (announce) {
        clearTimeout(timer);
        timer = setTimeout(function () {
          live.textContent = base + ' ' + text;
        }, 1000);
      }
    }

    field.addEventListener('input', function () { update(true); });
    update(false);
  });
})();
