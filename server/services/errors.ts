// Moved to core/ (the trainer raises them too); the server keeps importing them from here.
export { ServiceError } from "../../core/errors";
