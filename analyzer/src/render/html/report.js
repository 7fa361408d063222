/* The plan report's script: zoom, pan, filters, tooltips and the details of a selected module
   or edge, over the SVG that the page already holds. It draws no graph itself (the layout is
   computed in Rust and the page reads without this script), loads nothing, and builds text
   only through textContent, never from markup in the data.
   When it has wired everything it sets data-rendered="true" and data-node-count on the SVG;
   errors land in #script-errors through the hook in the page's head. */
(function () {
  'use strict';

  var svg = document.getElementById('graph-svg');
  var dataElement = document.getElementById('ficus-data');
  if (!svg || !dataElement) {
    throw new Error('the page has no graph or no data block');
  }
  (window.ficusEarlyErrors || []).forEach(function (message) {
    window.ficusRecordError(message);
  });
  var data = JSON.parse(dataElement.textContent);
  var SVG_NS = svg.namespaceURI;

  function all(selector, root) {
    return Array.prototype.slice.call((root || svg).querySelectorAll(selector));
  }
  var nodeElements = all('g.node');
  var edgeElements = all('g.edge');
  var discElements = all('g.disc');
  if (nodeElements.length !== data.nodes.length || edgeElements.length !== data.edges.length ||
      discElements.length !== data.groups.length) {
    throw new Error('the drawing and the data disagree: ' + nodeElements.length + ' nodes, ' +
      data.nodes.length + ' in the data');
  }

  function format(value) {
    if (typeof value !== 'number' || !isFinite(value)) {
      return '\u2013';
    }
    return String(Math.round(value * 100) / 100);
  }
  function element(name, text, className) {
    var made = document.createElement(name);
    if (text !== undefined && text !== null) {
      made.textContent = String(text);
    }
    if (className) {
      made.className = className;
    }
    return made;
  }

  // Edges at each node, heaviest first.
  var incident = data.nodes.map(function () { return []; });
  data.edges.forEach(function (edge, index) {
    incident[edge.a].push(index);
    incident[edge.b].push(index);
  });
  incident.forEach(function (list) {
    list.sort(function (x, y) { return data.edges[y].weight - data.edges[x].weight || x - y; });
  });

  // The custom tooltip replaces the native <title> ones, which would show twice.
  nodeElements.concat(edgeElements).forEach(function (item) {
    var title = item.querySelector('title');
    if (title) {
      item.setAttribute('data-tip', title.textContent);
      title.parentNode.removeChild(title);
    }
  });

  // ---------------------------------------------------------------- zoom and pan
  var base = svg.viewBox.baseVal;
  var home = { x: base.x, y: base.y, w: base.width, h: base.height };
  var view = { x: home.x, y: home.y, w: home.w, h: home.h };

  function applyView() {
    svg.setAttribute('viewBox', [view.x, view.y, view.w, view.h].map(function (value) {
      return Math.round(value * 100) / 100;
    }).join(' '));
  }
  function zoomAt(factor, x, y) {
    var width = Math.min(Math.max(view.w * factor, home.w / 40), home.w * 4);
    var scale = width / view.w;
    view.x = x - (x - view.x) * scale;
    view.y = y - (y - view.y) * scale;
    view.w = width;
    view.h = view.h * scale;
    applyView();
  }
  function zoomCentre(factor) {
    zoomAt(factor, view.x + view.w / 2, view.y + view.h / 2);
  }
  function reset() {
    view = { x: home.x, y: home.y, w: home.w, h: home.h };
    applyView();
  }
  function pan(dx, dy) {
    view.x += dx * view.w;
    view.y += dy * view.h;
    applyView();
  }
  function toSvg(clientX, clientY) {
    var matrix = svg.getScreenCTM();
    if (!matrix) {
      return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
    }
    var point = new DOMPoint(clientX, clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  svg.addEventListener('wheel', function (event) {
    event.preventDefault();
    var point = toSvg(event.clientX, event.clientY);
    zoomAt(event.deltaY < 0 ? 1 / 1.2 : 1.2, point.x, point.y);
  }, { passive: false });

  var drag = null;
  var dragged = false;
  svg.addEventListener('pointerdown', function (event) {
    if (event.button !== 0) {
      return;
    }
    var matrix = svg.getScreenCTM();
    drag = { x: event.clientX, y: event.clientY, view: { x: view.x, y: view.y },
      scale: matrix ? matrix.a : 1, id: event.pointerId };
    dragged = false;
  });
  svg.addEventListener('pointermove', function (event) {
    if (!drag) {
      showTip(event);
      return;
    }
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) {
      return;
    }
    if (!dragged) {
      dragged = true;
      svg.setPointerCapture(drag.id);
      svg.classList.add('panning');
      hideTip();
    }
    view.x = drag.view.x - dx / drag.scale;
    view.y = drag.view.y - dy / drag.scale;
    applyView();
  });
  function endDrag() {
    drag = null;
    svg.classList.remove('panning');
  }
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);

  document.getElementById('zoom-in').addEventListener('click', function () { zoomCentre(1 / 1.25); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoomCentre(1.25); });
  document.getElementById('zoom-reset').addEventListener('click', reset);

  // ---------------------------------------------------------------- tooltips
  var figure = svg.parentNode;
  var tip = document.getElementById('graph-tooltip');
  function showTip(event) {
    var target = event.target.closest ? event.target.closest('[data-tip]') : null;
    if (!target || !svg.contains(target)) {
      hideTip();
      return;
    }
    tip.textContent = target.getAttribute('data-tip');
    tip.hidden = false;
    var box = figure.getBoundingClientRect();
    var left = event.clientX - box.left + 14;
    var top = event.clientY - box.top + 14;
    tip.style.left = Math.min(left, Math.max(0, box.width - tip.offsetWidth - 4)) + 'px';
    tip.style.top = Math.min(top, Math.max(0, box.height - tip.offsetHeight - 4)) + 'px';
  }
  function hideTip() {
    tip.hidden = true;
  }
  svg.addEventListener('pointerleave', hideTip);

  // ---------------------------------------------------------------- selection and details
  var details = document.getElementById('graph-details');
  var detailsBody = document.getElementById('graph-details-body');
  var weights = document.createElementNS(SVG_NS, 'g');
  weights.setAttribute('class', 'weights');
  svg.appendChild(weights);
  var selected = null;

  function clearMarks() {
    all('.sel, .hl').forEach(function (item) { item.classList.remove('sel', 'hl'); });
    nodeElements.forEach(function (item) { item.setAttribute('aria-pressed', 'false'); });
    while (weights.firstChild) {
      weights.removeChild(weights.firstChild);
    }
    svg.classList.remove('dim');
  }
  function labelEdge(index) {
    var line = edgeElements[index].querySelector('line');
    var label = document.createElementNS(SVG_NS, 'text');
    label.setAttribute('class', 'edge-weight');
    label.setAttribute('text-anchor', 'middle');
    label.setAttribute('x', String((Number(line.getAttribute('x1')) + Number(line.getAttribute('x2'))) / 2));
    label.setAttribute('y', String((Number(line.getAttribute('y1')) + Number(line.getAttribute('y2'))) / 2 - 3));
    label.textContent = format(data.edges[index].weight);
    weights.appendChild(label);
  }
  function groupLink(groupIndex) {
    var group = data.groups[groupIndex];
    var link = element('a', group.rank ? group.rank + '. ' + group.name : group.name);
    link.href = '#' + group.anchor;
    return link;
  }
  function row(table, cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (cell) {
      var td = document.createElement('td');
      if (cell instanceof Node) {
        td.appendChild(cell);
      } else {
        td.textContent = cell;
      }
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }
  function table(headings) {
    var made = document.createElement('table');
    var head = document.createElement('tr');
    headings.forEach(function (heading) {
      var th = element('th', heading);
      th.scope = 'col';
      head.appendChild(th);
    });
    made.appendChild(head);
    return made;
  }
  function selectButton(nodeIndex) {
    var button = element('button', data.nodes[nodeIndex].id, 'link');
    button.type = 'button';
    button.addEventListener('click', function () {
      selectNode(nodeIndex);
      nodeElements[nodeIndex].focus();
    });
    return button;
  }
  function signalsText(signals) {
    return (signals || []).map(function (part) { return part[0] + ' ' + format(part[1]); }).join(', ');
  }
  function clearButton() {
    var button = element('button', 'Clear selection');
    button.type = 'button';
    button.addEventListener('click', function () { select(null); });
    return button;
  }
  function isVisible(edgeIndex) {
    return !edgeElements[edgeIndex].classList.contains('off');
  }

  function showNode(index) {
    var node = data.nodes[index];
    var group = data.groups[node.group];
    detailsBody.textContent = '';
    detailsBody.appendChild(element('p')).appendChild(element('code', node.id));
    var facts = document.createElement('dl');
    [['Group', groupLink(node.group)], ['File', node.file || '\u2013'],
      ['Routes', node.routes], ['Tables', node.tables], ['Pinned', node.pinned ? 'yes' : 'no']]
      .forEach(function (fact) {
        facts.appendChild(element('dt', fact[0]));
        var dd = document.createElement('dd');
        if (fact[1] instanceof Node) {
          dd.appendChild(fact[1]);
        } else {
          dd.textContent = fact[1];
        }
        facts.appendChild(dd);
      });
    detailsBody.appendChild(facts);
    detailsBody.appendChild(element('h4', 'Why it is here'));
    if (node.why) {
      detailsBody.appendChild(element('p', node.why.charAt(0).toUpperCase() + node.why.slice(1) + '.'));
    }
    if (group.kind === 'kernel') {
      detailsBody.appendChild(element('p', 'In the shared kernel: used across candidates, ' +
        'owns no routes and no tables.'));
    } else if (group.kind === 'unassigned') {
      detailsBody.appendChild(element('p', 'Unassigned: wiring that stays with the monolith.'));
    } else if (!node.reasons.length) {
      detailsBody.appendChild(element('p', node.pinned ? 'Pinned here in the plan.' :
        'No ties recorded.', 'none'));
    } else {
      var reasons = table(['Tied to', 'Signal', 'Weight']);
      node.reasons.forEach(function (reason) {
        row(reasons, [element('code', reason.with), reason.signal, format(reason.weight)]);
      });
      detailsBody.appendChild(reasons);
    }
    var edges = incident[index].filter(isVisible);
    detailsBody.appendChild(element('h4', 'Edges (' + edges.length + ' shown of ' +
      incident[index].length + ')'));
    if (edges.length) {
      var list = table(['Module', 'Weight', 'Signals']);
      edges.slice(0, 25).forEach(function (edgeIndex) {
        var edge = data.edges[edgeIndex];
        row(list, [selectButton(edge.a === index ? edge.b : edge.a), format(edge.weight),
          signalsText(edge.signals)]);
      });
      detailsBody.appendChild(list);
    }
    detailsBody.appendChild(clearButton());
  }

  function showEdge(index) {
    var edge = data.edges[index];
    detailsBody.textContent = '';
    detailsBody.appendChild(element('p', 'Edge between two modules'));
    var list = table(['Module', 'Group']);
    [edge.a, edge.b].forEach(function (nodeIndex) {
      row(list, [selectButton(nodeIndex), groupLink(data.nodes[nodeIndex].group)]);
    });
    detailsBody.appendChild(list);
    detailsBody.appendChild(element('p', 'Weight ' + format(edge.weight)));
    var parts = table(['Signal', 'Weight']);
    (edge.signals || []).forEach(function (part) { row(parts, [part[0], format(part[1])]); });
    detailsBody.appendChild(parts);
    detailsBody.appendChild(clearButton());
  }

  function select(what) {
    clearMarks();
    selected = what;
    if (!what) {
      detailsBody.textContent = '';
      detailsBody.appendChild(element('p', 'Nothing selected. Select a module in the graph ' +
        'to see its group, its assignment reasons and its heaviest edges.'));
      return;
    }
    svg.classList.add('dim');
    if (what.node !== undefined) {
      var nodeElement = nodeElements[what.node];
      nodeElement.classList.add('sel');
      nodeElement.setAttribute('aria-pressed', 'true');
      incident[what.node].filter(isVisible).forEach(function (edgeIndex) {
        var edge = data.edges[edgeIndex];
        edgeElements[edgeIndex].classList.add('hl');
        nodeElements[edge.a === what.node ? edge.b : edge.a].classList.add('hl');
        labelEdge(edgeIndex);
      });
      showNode(what.node);
    } else {
      var edge = data.edges[what.edge];
      edgeElements[what.edge].classList.add('sel');
      nodeElements[edge.a].classList.add('hl');
      nodeElements[edge.b].classList.add('hl');
      labelEdge(what.edge);
      showEdge(what.edge);
    }
  }
  function selectNode(index) {
    select(selected && selected.node === index ? null : { node: index });
  }

  svg.addEventListener('click', function (event) {
    if (dragged) {
      dragged = false;
      return;
    }
    var nodeElement = event.target.closest('g.node');
    var edgeElement = event.target.closest('g.edge');
    if (nodeElement) {
      selectNode(Number(nodeElement.getAttribute('data-i')));
    } else if (edgeElement) {
      select({ edge: Number(edgeElement.getAttribute('data-e')) });
    } else {
      select(null);
    }
  });

  // ---------------------------------------------------------------- keyboard
  svg.addEventListener('keydown', function (event) {
    var nodeElement = event.target.closest ? event.target.closest('g.node') : null;
    var handled = true;
    switch (event.key) {
      case 'Enter':
      case ' ':
        if (nodeElement) {
          selectNode(Number(nodeElement.getAttribute('data-i')));
        } else {
          handled = false;
        }
        break;
      case 'ArrowLeft': pan(-0.1, 0); break;
      case 'ArrowRight': pan(0.1, 0); break;
      case 'ArrowUp': pan(0, -0.1); break;
      case 'ArrowDown': pan(0, 0.1); break;
      case '+':
      case '=': zoomCentre(1 / 1.25); break;
      case '-':
      case '_': zoomCentre(1.25); break;
      case '0': reset(); break;
      case 'Escape': select(null); break;
      default: handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });
  // A module reached with Tab is brought into view.
  svg.addEventListener('focusin', function (event) {
    var nodeElement = event.target.closest ? event.target.closest('g.node') : null;
    if (!nodeElement) {
      return;
    }
    var circle = nodeElement.querySelector('circle');
    var x = Number(circle.getAttribute('cx'));
    var y = Number(circle.getAttribute('cy'));
    if (x < view.x || x > view.x + view.w || y < view.y || y > view.y + view.h) {
      view.x = x - view.w / 2;
      view.y = y - view.h / 2;
      applyView();
    }
  });

  // ---------------------------------------------------------------- filters
  var groupOn = data.groups.map(function () { return true; });
  var minWeight = 0;
  var checkboxes = all('input[data-g]', document.getElementById('group-filter'));
  var slider = document.getElementById('min-weight');
  var sliderValue = document.getElementById('min-weight-value');

  function applyFilters() {
    var shown = 0;
    nodeElements.forEach(function (item, index) {
      var on = groupOn[data.nodes[index].group];
      item.classList.toggle('off', !on);
      shown += on ? 1 : 0;
    });
    discElements.forEach(function (item, index) {
      item.classList.toggle('off', !groupOn[index]);
    });
    edgeElements.forEach(function (item, index) {
      var edge = data.edges[index];
      var on = groupOn[data.nodes[edge.a].group] && groupOn[data.nodes[edge.b].group] &&
        edge.weight >= minWeight;
      item.classList.toggle('off', !on);
    });
    svg.setAttribute('data-visible-nodes', String(shown));
    if (selected && selected.node !== undefined && !groupOn[data.nodes[selected.node].group]) {
      select(null);
    } else if (selected && selected.edge !== undefined && !isVisible(selected.edge)) {
      select(null);
    } else if (selected) {
      select(selected);
    }
  }
  checkboxes.forEach(function (checkbox) {
    checkbox.addEventListener('change', function () {
      groupOn[Number(checkbox.getAttribute('data-g'))] = checkbox.checked;
      applyFilters();
    });
  });
  function setAll(on) {
    checkboxes.forEach(function (checkbox) {
      checkbox.checked = on;
      groupOn[Number(checkbox.getAttribute('data-g'))] = on;
    });
    applyFilters();
  }
  document.getElementById('groups-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('groups-none').addEventListener('click', function () { setAll(false); });
  slider.addEventListener('input', function () {
    minWeight = Number(slider.value);
    sliderValue.textContent = format(minWeight);
    applyFilters();
  });
  document.getElementById('show-labels').addEventListener('change', function (event) {
    svg.classList.toggle('no-labels', !event.target.checked);
  });

  // ---------------------------------------------------------------- ready
  document.getElementById('graph-tools').hidden = false;
  document.getElementById('group-actions').hidden = false;
  document.getElementById('group-filter').disabled = false;
  details.hidden = false;
  details.parentNode.classList.remove('no-details');
  applyFilters();
  svg.setAttribute('data-node-count', String(nodeElements.length));
  svg.setAttribute('data-edge-count', String(edgeElements.length));
  svg.setAttribute('data-rendered', 'true');
})();
