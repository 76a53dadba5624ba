-- Reserved for the change named in the file name; it replaces this no-op with its own statements.
SELECT 1;
