// Building the DOM from data without innerHTML: text always goes in as text, so nothing an event
// holds can become markup or script.
type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), value)
    } else if (value === true) {
      el.setAttribute(name, '')
    } else {
      el.setAttribute(name, String(value))
    }
  }
  append(el, children)
  return el
}

export function append (el: Element, children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    el.append(typeof child === 'number' ? String(child) : child)
  }
}

/** Replaces the children of `el`. */
export function fill (el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren()
  append(el, children)
}

/** A labelled form control in a wrapper; the id ties the label to the control. */
export function field (id: string, labelText: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = id
  if (hint !== undefined) control.setAttribute('aria-describedby', `${id}-hint`)
  return h('div', { class: 'field' },
    h('label', { for: id }, labelText),
    hint === undefined ? null : h('span', { class: 'hint', id: `${id}-hint` }, hint),
    control)
}

/** A select with an empty "any" option first. */
export function select (options: Array<[value: string, text: string]>, anyText: string | null, value = ''): HTMLSelectElement {
  const el = h('select', {})
  if (anyText !== null) el.append(h('option', { value: '' }, anyText))
  for (const [v, text] of options) el.append(h('option', { value: v, selected: v === value }, text))
  return el
}
