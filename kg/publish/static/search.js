// Search for the static copy of the site (kg publish): filters search.json by the ?q= words,
// ignoring case and Vietnamese diacritics, as the server's /search does.
(function () {
  var script = document.currentScript;
  function fold(s) {
    return s.normalize("NFC").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var q = new URLSearchParams(location.search).get("q") || "";
  var words = fold(q).split(/\s+/).filter(Boolean);
  fetch(script.dataset.index).then(function (r) { return r.json(); }).then(function (rows) {
    var hits = words.length ? rows.filter(function (row) {
      var key = fold(row.label);
      return words.every(function (w) { return key.indexOf(w) >= 0; });
    }) : [];
    var list = document.getElementById("hits");
    hits.forEach(function (row) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = row.href; a.textContent = row.label; li.appendChild(a); list.appendChild(li);
    });
    document.getElementById("summary").textContent = hits.length + " kết quả cho “" + q + "”.";
  });
})();
