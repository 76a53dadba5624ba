"use client";
import type { ReactNode } from "react";
import { Select, TextArea, TextInput } from "../../components/ui";
import { fieldText, groupDefaults, parseFieldText } from "./field-text";
import { formatDefault, pathKey, valueAt, type FieldSpec } from "./schema-fields";

/** What every field needs from the form: the config, the text typed so far, the messages, and how to change them. */
export interface FieldContext {
  config: Record<string, unknown>;
  drafts: Record<string, string>;
  messages: Record<string, string>;
  /** The DOM id of a field's control (its path, under the form's own prefix). */
  idOf: (path: readonly string[]) => string;
  setValue: (path: readonly string[], value: unknown, draft?: string) => void;
}

const LIST_HINT = { integer: "whole numbers separated by commas", number: "numbers separated by commas", string: "one per line" } as const;

/** The one-line description, the default, and (when refused) the message: what aria-describedby points at. */
function Help({ id, field, hint, message }: { id: string; field: FieldSpec; hint?: string; message?: string }) {
  return (
    <>
      <span id={`${id}-help`} className="mt-1 block text-xs text-slate-500">
        {field.description}
        {field.description ? " " : ""}
        <span className="whitespace-nowrap">Default: <code>{formatDefault(field.default)}</code>{field.nullable ? " (empty: null)" : ""}</span>
        {hint ? <span className="block">{hint}</span> : null}
      </span>
      {message && (
        <span id={`${id}-error`} role="alert" className="mt-1 block text-xs font-medium text-rose-700">
          {message}
        </span>
      )}
    </>
  );
}

const describedBy = (id: string, message?: string) => `${id}-help${message ? ` ${id}-error` : ""}`;

/** A labelled box whose text is kept as typed (a half-typed "0." must not become "0") and read into a value. */
function TextField({ field, ctx, hint, multiline, list }: { field: FieldSpec; ctx: FieldContext; hint?: string; multiline?: boolean; list?: string[] }) {
  const id = ctx.idOf(field.path);
  const key = pathKey(field.path);
  const message = ctx.messages[key];
  const text = ctx.drafts[key] ?? fieldText(field, valueAt(ctx.config, field.path));
  const onText = (t: string) => ctx.setValue(field.path, parseFieldText(field, t), t);
  const control = field.control;
  const common = { id, "aria-describedby": describedBy(id, message), "aria-invalid": message ? true : undefined, placeholder: field.nullable ? "null" : formatDefault(field.default) };
  return (
    <div className="text-sm">
      <label htmlFor={id} className="mb-1 block font-medium text-slate-700">{field.name}</label>
      {multiline ? (
        <TextArea {...common} className="h-20" value={text} onChange={(e) => onText(e.target.value)} />
      ) : control.kind === "number" ? (
        <TextInput {...common} type="number" step={control.integer ? 1 : "any"} min={control.min} max={control.max} value={text} onChange={(e) => onText(e.target.value)} />
      ) : (
        <TextInput {...common} list={list ? `${id}-options` : undefined} value={text} onChange={(e) => onText(e.target.value)} />
      )}
      {list && (
        <datalist id={`${id}-options`}>
          {list.map((o) => <option key={o} value={o} />)}
        </datalist>
      )}
      <Help id={id} field={field} hint={hint} message={message} />
    </div>
  );
}

function EnumField({ field, ctx, options }: { field: FieldSpec; ctx: FieldContext; options: string[] }) {
  const id = ctx.idOf(field.path);
  const message = ctx.messages[pathKey(field.path)];
  const value = valueAt(ctx.config, field.path);
  return (
    <div className="text-sm">
      <label htmlFor={id} className="mb-1 block font-medium text-slate-700">{field.name}</label>
      <Select id={id} aria-describedby={describedBy(id, message)} aria-invalid={message ? true : undefined} value={value === null || value === undefined ? "" : String(value)}
        onChange={(e) => ctx.setValue(field.path, e.target.value === "" ? (field.nullable ? null : undefined) : e.target.value)}>
        {(field.nullable || value === undefined) && <option value="">{field.nullable ? "null" : `default (${formatDefault(field.default)})`}</option>}
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </Select>
      <Help id={id} field={field} message={message} />
    </div>
  );
}

function BooleanField({ field, ctx }: { field: FieldSpec; ctx: FieldContext }) {
  const id = ctx.idOf(field.path);
  const message = ctx.messages[pathKey(field.path)];
  const value = valueAt(ctx.config, field.path);
  return (
    <div className="text-sm">
      <label className="flex items-center gap-2 font-medium text-slate-700">
        <input id={id} type="checkbox" aria-describedby={describedBy(id, message)} checked={value === undefined ? field.default === true : value === true} onChange={(e) => ctx.setValue(field.path, e.target.checked)} />
        {field.name}
      </label>
      <Help id={id} field={field} message={message} />
    </div>
  );
}

/** Several of a fixed set (e.g. LoRA targets): one checkbox each. */
function ChoicesField({ field, ctx, options }: { field: FieldSpec; ctx: FieldContext; options: string[] }) {
  const id = ctx.idOf(field.path);
  const message = ctx.messages[pathKey(field.path)];
  const raw = valueAt(ctx.config, field.path) ?? field.default;
  const chosen = Array.isArray(raw) ? (raw as unknown[]).map(String) : [];
  const toggle = (o: string, on: boolean) => ctx.setValue(field.path, on ? options.filter((x) => x === o || chosen.includes(x)) : chosen.filter((x) => x !== o));
  return (
    <fieldset className="text-sm" aria-describedby={describedBy(id, message)}>
      <legend className="mb-1 font-medium text-slate-700">{field.name}</legend>
      <div className="flex flex-wrap gap-3">
        {options.map((o) => (
          <label key={o} className="flex items-center gap-1">
            <input type="checkbox" id={o === options[0] ? id : undefined} checked={chosen.includes(o)} onChange={(e) => toggle(o, e.target.checked)} /> {o}
          </label>
        ))}
      </div>
      <Help id={id} field={field} message={message} />
    </fieldset>
  );
}

/** A nested object as a fieldset; a nullable one has a switch (off: null, on: its fields at their defaults). */
function GroupField({ field, ctx, fields }: { field: FieldSpec; ctx: FieldContext; fields: FieldSpec[] }) {
  const id = ctx.idOf(field.path);
  const message = ctx.messages[pathKey(field.path)];
  const value = valueAt(ctx.config, field.path);
  const on = !field.nullable || (value !== null && value !== undefined);
  return (
    <fieldset className="rounded border border-slate-200 p-3 md:col-span-3" aria-describedby={describedBy(id, message)}>
      <legend className="px-1 text-sm font-medium text-slate-700">{field.name}</legend>
      {field.nullable && (
        <label className="mb-2 flex items-center gap-2 text-sm">
          <input id={id} type="checkbox" checked={on} onChange={(e) => ctx.setValue(field.path, e.target.checked ? groupDefaults(fields) : null)} />
          Use {field.name}
        </label>
      )}
      <Help id={id} field={field} message={message} />
      {on && <div className="mt-3 grid gap-4 md:grid-cols-3">{fields.map((f) => <ConfigField key={f.name} field={f} ctx={ctx} />)}</div>}
    </fieldset>
  );
}

/** One labelled control per config field, chosen by the field's schema. */
export function ConfigField({ field, ctx }: { field: FieldSpec; ctx: FieldContext }): ReactNode {
  const c = field.control;
  switch (c.kind) {
    case "object":
      return <GroupField field={field} ctx={ctx} fields={c.fields} />;
    case "boolean":
      return <BooleanField field={field} ctx={ctx} />;
    case "enum":
      return <EnumField field={field} ctx={ctx} options={c.options} />;
    case "choices":
      return <ChoicesField field={field} ctx={ctx} options={c.options} />;
    case "list":
      return <TextField field={field} ctx={ctx} multiline={c.item === "string"} hint={c.length ? `${c.length} ${LIST_HINT[c.item]}` : LIST_HINT[c.item]} />;
    case "enum-or-list":
      return <TextField field={field} ctx={ctx} list={c.options} hint={`${c.options.join(", ")}, or ${LIST_HINT[c.item]}`} />;
    case "json":
      return <TextField field={field} ctx={ctx} multiline hint="JSON" />;
    default:
      return <TextField field={field} ctx={ctx} />;
  }
}
