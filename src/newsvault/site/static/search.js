// The search page. It answers from the site's static index (search-index/, written by
// `newsvault build`; site/search_index.py describes the files), so it needs no server:
// GitHub Pages, any static host and `newsvault serve` alike. A query is tokenized as
// search/bigrams.py tokenizes articles: folded to Simplified, CJK text as bigrams (冬奥
// matches inside 北京冬奥会), other words lower-cased. Every token must occur. Hits are
// ranked by BM25's idf and the posting's class; a hit's excerpt is the start of its text
// with the words marked. Everything shown is set as text, never as HTML.
(function () {
  "use strict";
  var PAGE_SIZE = 20;
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff";
  var CJK_CHAR = new RegExp("[" + CJK + "]");
  var WORDS = /[0-9A-Za-z\u00C0-\u024F\u0370-\u058F\u0590-\u06FF\u0E00-\u0E7F]+/g;
  var WORD_MASK = 0x2FFFFFFF;

  var root = new URL("..", document.currentScript.src).href;  // the script is in assets/
  var index = root + "search-index/";
  var form = document.querySelector("form.search");
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = new URLSearchParams(location.search).get("q") || "";
  var files = {};  // url → promise of its response, fetched once per page

  if (location.protocol === "file:") return;  // browsers fetch nothing from disk: the note stays
  status.textContent = "";
  input.value = query;
  if (!query.trim()) return;
  status.textContent = status.dataset.searching;
  fetchJson(index + "index.json").then(function (manifest) {
    // only CJK and full-width characters fold: other queries need no table
    var table = /[\u3000-\uffff]/.test(query) ? fetchText(index + manifest.fold) : "";
    return Promise.resolve(table).then(function (pairs) {
      return runQuery(manifest, folding(pairs));
    });
  }, function () {
    return askServer();  // a site built before the index existed, under `newsvault serve`
  }).catch(function (error) {
    status.textContent = status.dataset.error + error.message;
  });

  // -- fetching -------------------------------------------------------------------------

  function fetched(url) {
    if (!files[url]) {
      files[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + url);
        return response;
      });
    }
    return files[url];
  }
  function fetchJson(url) { return fetched(url).then(function (r) { return r.clone().json(); }); }
  function fetchText(url) { return fetched(url).then(function (r) { return r.clone().text(); }); }
  function fetchBytes(url) {
    return fetched(url).then(function (r) { return r.clone().arrayBuffer(); })
      .then(function (buffer) { return new Uint8Array(buffer); });
  }

  // -- tokens, as search/bigrams.py makes them -------------------------------------------

  function folding(pairs) {
    var table = new Map();
    for (var at = 0; at + 1 < pairs.length; at += 2) table.set(pairs[at], pairs[at + 1]);
    return function (text) {
      var out = "";
      for (var i = 0; i < text.length; i++) out += table.get(text[i]) || text[i];
      return out;
    };
  }

  // The query's tokens, and its needles: what to mark in excerpts (folded, lower case).
  function tokenize(text) {
    var tokens = [], needles = [];
    var runs = text.match(new RegExp("[" + CJK + "]{2,}", "g")) || [];
    runs.forEach(function (run) {
      needles.push(run);
      for (var i = 0; i + 1 < run.length; i++) {
        tokens.push((run.charCodeAt(i) * 65536 + run.charCodeAt(i + 1)) >>> 0);
      }
    });
    (lowerUnits(text).match(WORDS) || []).forEach(function (word) {
      needles.push(word);
      tokens.push((fnv1a(word) & WORD_MASK) >>> 0);
    });
    return { tokens: tokens.filter(function (t, i) { return tokens.indexOf(t) === i; }),
             needles: needles };
  }

  // each UTF-16 unit lower-cased where its lower case is one unit, as bigrams.py folds
  function lowerUnits(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var lower = text[i].toLowerCase();
      out += lower.length === 1 ? lower : text[i];
    }
    return out;
  }

  // 32-bit FNV-1a of a word's UTF-16 units, as _word_ids in search/bigrams.py
  function fnv1a(word) {
    var hash = 0x811C9DC5;
    for (var i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
    return hash >>> 0;
  }

  // murmur3's finalizer, as shard_of in search/bigrams.py
  function shardOf(token, shards) {
    var h = token >>> 0;
    h ^= h >>> 16; h = Math.imul(h, 0x85EBCA6B);
    h ^= h >>> 13; h = Math.imul(h, 0xC2B2AE35);
    h ^= h >>> 16;
    return (h >>> 0) & (shards - 1);
  }

  // -- reading the index ----------------------------------------------------------------

  function Reader(bytes) { this.bytes = bytes; this.at = 0; }
  Reader.prototype.varint = function () {
    var value = 0, scale = 1, byte;
    do {
      byte = this.bytes[this.at++];
      value += (byte & 0x7F) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };

  // A token's postings in one segment: {ordinal: class}; empty when it has none there.
  function postings(segment, token) {
    var url = index + segment.id + "/s" + shardOf(token, segment.shards) + ".bin";
    return fetchBytes(url).then(function (bytes) {
      var reader = new Reader(bytes), count = reader.varint();
      var id = 0, skip = 0, found = null;
      for (var i = 0; i < count; i++) {
        id += reader.varint();
        var postingCount = reader.varint(), length = reader.varint();
        if (id === token) found = { count: postingCount, offset: skip };
        skip += length;
      }
      var result = new Map();
      if (!found) return result;
      reader.at += found.offset;
      var ordinal = 0;
      for (var p = 0; p < found.count; p++) {
        var value = reader.varint();
        ordinal += Math.floor(value / 4);
        result.set(ordinal, value % 4);
      }
      return result;
    }, function (error) {
      if (/^404 /.test(error.message)) return new Map();  // an empty shard has no file
      throw error;
    });
  }

  function runQuery(manifest, fold) {
    var parsed = tokenize(fold(query));
    if (!parsed.tokens.length) {
      status.textContent = status.dataset.short;
      return;
    }
    var lookups = manifest.segments.map(function (segment) {
      return Promise.all(parsed.tokens.map(function (token) { return postings(segment, token); }));
    });
    return Promise.all(lookups).then(function (perSegment) {
      var hits = rank(manifest, perSegment);
      status.textContent = hits.length ? countText(hits.length)
        : status.dataset.empty;
      showPage(manifest, hits, 0, parsed.needles, fold);
    });
  }

  function rank(manifest, perSegment) {
    var total = manifest.docs, weights = manifest.weights;
    var superseded = new Set();
    manifest.segments.forEach(function (segment) {
      segment.deleted.forEach(function (ordinal) { superseded.add(ordinal); });
    });
    var tokenCount = perSegment[0].length;
    var idf = [];
    for (var t = 0; t < tokenCount; t++) {
      var df = perSegment.reduce(function (sum, lists) { return sum + lists[t].size; }, 0);
      idf.push(Math.log(1 + (total - df + 0.5) / (df + 0.5)));
    }
    var hits = [];
    perSegment.forEach(function (lists, s) {
      var rarest = lists.reduce(function (best, list) { return list.size < best.size ? list : best; });
      rarest.forEach(function (_, ordinal) {
        if (s === 0 && superseded.has(ordinal)) return;
        var score = 0;
        for (var t = 0; t < lists.length; t++) {
          var cls = lists[t].get(ordinal);
          if (cls === undefined) return;
          score += idf[t] * weights[cls];
        }
        hits.push({ segment: s, ordinal: ordinal, score: score });
      });
    });
    return hits.sort(function (a, b) {
      return b.score - a.score || b.segment - a.segment || b.ordinal - a.ordinal;
    });
  }

  // -- showing hits ---------------------------------------------------------------------

  function showPage(manifest, hits, start, needles, fold) {
    var shown = hits.slice(start, start + PAGE_SIZE);
    var metas = shown.map(function (hit) {
      var segment = manifest.segments[hit.segment];
      var chunk = Math.floor(hit.ordinal / manifest.meta_chunk);
      return fetchJson(index + segment.id + "/m" + chunk + ".json").then(function (rows) {
        return rows[hit.ordinal % manifest.meta_chunk];
      });
    });
    return Promise.all(metas).then(function (rows) {
      rows.forEach(function (row) { list.append(hitItem(row, needles, fold)); });
      var more = document.getElementById("search-more");
      if (more) more.remove();
      if (start + PAGE_SIZE < hits.length) {
        more = document.createElement("button");
        more.id = "search-more";
        more.textContent = status.dataset.more;
        more.addEventListener("click", function () {
          showPage(manifest, hits, start + PAGE_SIZE, needles, fold);
        });
        list.after(more);
      }
    });
  }

  function hitItem(row, needles, fold) {
    var item = document.createElement("li");
    var title = document.createElement("a");
    title.textContent = row[1];
    title.href = root + row[0];
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = " " + row[2] + " · " + row[3];
    var snippet = document.createElement("p");
    snippet.className = "snippet";
    item.append(title, meta, snippet);
    excerpt(snippet, row[4] || "", needles, fold);
    return item;
  }

  // Up to 160 characters around the first needle found, each needle in a <mark>.
  function excerpt(into, text, needles, fold) {
    var folded = lowerUnits(fold(text));  // as long as text: offsets carry over
    var first = needles.reduce(function (best, needle) {
      var at = folded.indexOf(needle);
      return at >= 0 && (best < 0 || at < best) ? at : best;
    }, -1);
    var start = Math.max(0, first - 40), end = Math.min(text.length, start + 160);
    if (start > 0) into.append("…");
    var at = start;
    while (at < end) {
      var next = nextNeedle(folded, needles, at, end);
      if (!next) { into.append(text.slice(at, end)); break; }
      into.append(text.slice(at, next.at));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next.at, next.at + next.length);
      into.append(mark);
      at = next.at + next.length;
    }
    if (end < text.length) into.append("…");
  }

  function nextNeedle(folded, needles, from, end) {
    var best = null;
    needles.forEach(function (needle) {
      var at = folded.indexOf(needle, from);
      if (at >= 0 && at + needle.length <= end && (!best || at < best.at)) {
        best = { at: at, length: needle.length };
      }
    });
    return best;
  }

  function countText(n) {  // a theme's older search.html may lack data-count-one
    var words = n === 1 && status.dataset.countOne || status.dataset.count;
    return words.replace("{n}", n);
  }

  // -- the server's API, for sites built without the static index ---------------------------

  function askServer() {
    return fetch(root + "api/search?limit=20&q=" + encodeURIComponent(query))
      .then(function (response) {
        if (!response.ok) throw new Error("offline");
        return response.json();
      })
      .then(function (hits) {
        status.textContent = hits.length ? "" : status.dataset.empty;
        hits.forEach(function (hit) {
          var item = document.createElement("li");
          // the original link only when it is http(s): a feed's link is untrusted
          var original = /^https?:\/\//i.test(hit.url || "") ? hit.url : "";
          var link = hit.page ? root + hit.page : original;
          var title = document.createElement(link ? "a" : "span");
          title.textContent = hit.title;
          if (link) title.href = link;
          var meta = document.createElement("span");
          meta.className = "meta";
          meta.textContent = " " + hit.source + " · " + (hit.published || "").slice(0, 10);
          item.append(title, meta);
          list.append(item);
        });
      }, function () {
        status.textContent = status.dataset.offline;
      });
  }
})();
