import type { Command } from "commander";
import { openDatabase } from "../../db/client";
import { registerEndpointPolicy } from "../../server/services/external-policies";
import { resolveProjectArg } from "./train";

const number = (v: string) => Number(v);

interface AddEndpointOptions {
  project: string;
  name: string;
  url: string;
  model: string;
  apiKeyEnv?: string;
  chat?: boolean;
  timeout?: number;
  concurrency?: number;
  retries?: number;
  json?: boolean;
}

/** The key is read from an environment variable, never from the command line (shell history, `ps`). */
function apiKeyFrom(variable: string | undefined): string | null {
  if (!variable) return null;
  const key = process.env[variable];
  if (!key) throw new Error(`the environment variable ${variable} (--api-key-env) is not set`);
  return key;
}

function addEndpoint(o: AddEndpointOptions) {
  const db = openDatabase();
  const project = resolveProjectArg(db, o.project);
  const policy = registerEndpointPolicy(db, {
    projectId: project.id, name: o.name, url: o.url, model: o.model, apiKey: apiKeyFrom(o.apiKeyEnv), mode: o.chat ? "chat" : "completions",
    ...(o.timeout !== undefined ? { timeoutSeconds: o.timeout } : {}), ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}), ...(o.retries !== undefined ? { retries: o.retries } : {}),
  });
  if (o.json) process.stdout.write(`${JSON.stringify({ project: project.name, ...policy })}\n`);
  else process.stdout.write(`registered ${policy.label} (policy id ${policy.id}) in "${project.name}": ${policy.mode} endpoint ${policy.url}, model ${policy.model}${policy.hasApiKey ? ", with an API key" : ""}\n`);
}

/** Registers `policy add-endpoint`: an OpenAI-compatible endpoint as an external policy of a project. */
export function register(program: Command): void {
  const policy = program.command("policy").description("policies of a project");
  policy
    .command("add-endpoint")
    .description("register an OpenAI-compatible endpoint (vLLM, llama.cpp's server, Ollama, another preflab) as an external policy, sampled like a built-in one")
    .requiredOption("--project <name>", "project name (or id)")
    .requiredOption("--name <name>", "policy name (registering a name again makes its next version)")
    .requiredOption("--url <url>", "base URL, e.g. http://localhost:8000/v1 (/v1 is added when missing)")
    .requiredOption("--model <model>", "the model name the endpoint serves (the requests' model field)")
    .option("--api-key-env <variable>", "environment variable holding the API key, sent as a bearer token")
    .option("--chat", "call /v1/chat/completions with messages (default: /v1/completions with the prompt text)")
    .option("--timeout <seconds>", "give up on a request after this long (default 60)", number)
    .option("--concurrency <n>", "requests in flight at once (default 4)", number)
    .option("--retries <n>", "retries after a timeout, a lost connection or a 5xx, with backoff (default 2)", number)
    .option("--json", "print the registered policy as one JSON object")
    .action(addEndpoint);
}
