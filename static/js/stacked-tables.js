// Tables that stack on a phone (`table.list.stack`) label each cell with its column's header
// (`data-label`, shown by app.css before the cell's value). Templates write the labels
// themselves so they show without JavaScript; this fills in any a template left out, from
// the header row, so a new table is never a column of bare numbers.
(function () {
  "use strict";
  document.querySelectorAll("table.stack").forEach(function (table) {
    var columns = []; // the header text of each column, a wide header repeated
    table.querySelectorAll("thead tr:first-child th").forEach(function (th) {
      for (var i = 0; i < (th.colSpan || 1); i += 1) { columns.push(th.textContent.trim()); }
    });
    if (!columns.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var span = cell.colSpan || 1;
        if (span === 1 && columns[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", columns[column]);
        }
        column += span;
      });
    });
  });
})();
