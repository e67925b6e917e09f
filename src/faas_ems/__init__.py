"""faas-ems's platform package: the runtime every process imports, and each bounded
context's domain code.

``faas_ems.runtime`` holds the platform concerns (settings and secrets, pools,
tokens, guards, JSON errors, events); ``faas_ems.identity``, ``.inventory``,
``.monitoring`` and ``.support`` hold each context's domain code and migrations.
Functions get the package through stack.yml's ``configuration.copy`` (faas-cli puts
it in every build context); everything else imports the installed package.
"""
