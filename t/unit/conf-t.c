/* SPDX-License-Identifier: MIT */
/* conf-t.c: the config loader with good, bad and hostile files. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "tap.h"

static char	 path[4096];
static char	 err[8192];

static const char *
data(const char *name)
{
	const char *src = getenv("INKWELL_SRC");

	snprintf(path, sizeof(path), "%s/t/data/conf/%s", src ? src : ".",
	    name);
	return path;
}

static int
load(struct conf *c, const char *name)
{
	conf_free(c);
	return conf_load(c, data(name), true, err, sizeof(err));
}

static bool
has(const char *needle)
{
	bool	 r = strstr(err, needle) != NULL;

	if (!r)
		diag("error text was: %s", err);
	return r;
}

/* Parses text; true when it loads. */
static bool
loads(const char *text)
{
	struct conf	 c;
	char		 e[1024];
	int		 rc;

	rc = conf_parse_string(&c, "mem", text, strlen(text), e, sizeof(e));
	conf_free(&c);
	return rc == 0;
}

static void
trace_keys(void)
{
	static const char *const good[] = { "0", "1", "0.25", "1.0",
	    "0.000001", "00.5" };
	static const char *const bad[] = { "1.5", "-0.1", "1e-1", "0x1",
	    "nan", "inf", ".5", "5.", "0.5.1", "0,5", "", "2" };
	struct conf	 c;
	char		 e[1024], text[128];

	is_int(0, conf_parse_string(&c, "mem", "", 0, e, sizeof(e)),
	    "trace: defaults load");
	is_string("", c.trace_endpoint, "trace: off by default");
	ok(c.trace_sample_ratio == 1.0, "trace: sample_ratio 1.0 by default");
	is_int(2048, c.trace_queue, "trace: queue_size 2048 by default");
	conf_free(&c);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[trace]\nsample_ratio = %s\n",
		    good[i]);
		ok(loads(text), "sample_ratio = %s taken", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[trace]\nsample_ratio = %s\n",
		    bad[i]);
		ok(!loads(text), "sample_ratio = \"%s\" refused", bad[i]);
	}
	snprintf(text, sizeof(text), "[trace]\nsample_ratio = 0.25\n");
	ok(conf_parse_string(&c, "mem", text, strlen(text), e, sizeof(e)) ==
	    0 && c.trace_sample_ratio == 0.25,
	    "sample_ratio = 0.25 read as 0.25");
	conf_free(&c);
	ok(loads("[trace]\nendpoint = http://127.0.0.1:4318/v1/traces\n"),
	    "an http endpoint");
	ok(loads("[trace]\nendpoint = https://otel.example/v1/traces\n"),
	    "an https endpoint");
	ok(!loads("[trace]\nendpoint = ftp://otel.example/\n"),
	    "an ftp endpoint refused");
	ok(!loads("[trace]\nendpoint = 127.0.0.1:4318\n"),
	    "an endpoint without a scheme refused");
	ok(!loads("[trace]\nendpoint = http://a b/\n"),
	    "an endpoint with a space refused");
	ok(!loads("[trace]\nqueue_size = 16\nbatch_size = 17\n"),
	    "batch_size over queue_size refused");
	ok(!loads("[trace]\nqueue_size = 15\n"), "queue_size under 16 refused");
	ok(!loads("[trace]\ntimeout_ms = 0\n"), "timeout_ms = 0 refused");
}

int
main(void)
{
	struct conf	 c;
	char		 tmpl[] = "/tmp/inkwell-conf-t-XXXXXX";
	char		 big[10000];
	FILE		*f;
	int		 fd;

	plan_lazy();
	memset(&c, 0, sizeof(c));
	conf_defaults(&c);
	is_string("unix:/run/inkwell/inkwell.sock", c.listen, "default listen");
	is_int(4, c.workers, "default workers");
	is_int(0660, c.socket_mode, "default socket mode");

	is_int(0, load(&c, "good.conf"), "good.conf loads");
	is_string("127.0.0.1:9000", c.listen, "listen read");
	is_int(8, c.workers, "workers read");
	is_int(0600, c.socket_mode, "octal mode read");
	is_string("host=db2 dbname=blog user=inkwell", c.db_replica,
	    "value with spaces and '=' kept whole");
	is_int(2000, c.db_statement_timeout, "statement timeout read");
	is_string("warn", c.log_level, "level read");

	is_int(-1, load(&c, "bad-unknown-key.conf"), "unknown key refused");
	ok(has("bad-unknown-key.conf:3: unknown key \"colour\" in section "
	    "[server]"), "names file, line and key");

	is_int(-1, load(&c, "bad-values.conf"), "bad values refused");
	ok(has("bad-values.conf:2: workers = \"many\": not a whole number"),
	    "non-number named with its line");
	ok(has("bad-values.conf:3: socket_mode"), "bad octal reported");
	ok(has("bad-values.conf:6: statement_timeout = \"0\": out of range"),
	    "range error reported with line 6");

	is_int(-1, load(&c, "bad-syntax.conf"), "syntax error refused");
	ok(has("bad-syntax.conf:3: syntax error"), "syntax error line 3");

	is_int(-1, load(&c, "bad-section.conf"), "unknown section refused");
	ok(has("bad-section.conf:2: unknown key \"workers\" in section "
	    "[servr]"), "misspelt section shows up at its key");

	is_int(-1, load(&c, "bad-listen.conf"), "bad listen refused");
	ok(has("listen = \"somewhere\""), "listen error says the value");
	conf_free(&c);

	is_int(-1, conf_load(&c, "/nonexistent/inkwell.conf", true, err,
	    sizeof(err)), "missing file refused when required");
	ok(has("/nonexistent/inkwell.conf: No such file"), "says why");
	conf_free(&c);
	is_int(0, conf_load(&c, "/nonexistent/inkwell.conf", false, err,
	    sizeof(err)), "missing file fine when optional");
	conf_free(&c);

	/* Environment overrides win over the file. */
	setenv("INKWELL_SERVER_WORKERS", "3", 1);
	setenv("INKWELL_DATABASE_PRIMARY", "dbname=fromenv", 1);
	is_int(0, load(&c, "good.conf"), "loads with env overrides");
	is_int(3, c.workers, "INKWELL_SERVER_WORKERS overrides");
	is_string("dbname=fromenv", c.db_primary,
	    "INKWELL_DATABASE_PRIMARY overrides");
	setenv("INKWELL_SERVER_WORKERS", "0", 1);
	is_int(-1, load(&c, "good.conf"), "bad env value refused");
	ok(has("environment INKWELL_SERVER_WORKERS: workers = \"0\""),
	    "env error names the variable");
	unsetenv("INKWELL_SERVER_WORKERS");
	unsetenv("INKWELL_DATABASE_PRIMARY");

	/* [cache] render_wait_ms: 0 (off) .. 60000, from the environment
	 * as from a file.  (The refused load above left what it had read
	 * in c: conf_free it, as load() does, before starting over.) */
	conf_free(&c);
	conf_defaults(&c);
	is_int(1000, c.cache_render_wait, "default render_wait_ms");
	conf_free(&c);
	setenv("INKWELL_CACHE_RENDER_WAIT_MS", "0", 1);
	is_int(0, load(&c, "good.conf"), "render_wait_ms = 0 (off) taken");
	is_int(0, c.cache_render_wait, "INKWELL_CACHE_RENDER_WAIT_MS overrides");
	setenv("INKWELL_CACHE_RENDER_WAIT_MS", "60001", 1);
	is_int(-1, load(&c, "good.conf"), "render_wait_ms over 60000 refused");
	ok(has("render_wait_ms = \"60001\": out of range (allowed 0..60000)"),
	    "with its range");
	setenv("INKWELL_CACHE_RENDER_WAIT_MS", "-1", 1);
	is_int(-1, load(&c, "good.conf"), "negative render_wait_ms refused");
	unsetenv("INKWELL_CACHE_RENDER_WAIT_MS");

	/* Secrets from files. */
	if ((fd = mkstemp(tmpl)) < 0)
		bail("mkstemp");
	f = fdopen(fd, "w");
	fputs("host=secret dbname=x password=hunter2\n", f);
	fclose(f);
	setenv("INKWELL_DATABASE_PRIMARY_FILE", tmpl, 1);
	is_int(0, load(&c, "good.conf"), "primary_file from env loads");
	is_string("host=secret dbname=x password=hunter2", c.db_primary,
	    "secret read, trailing newline cut");
	unsetenv("INKWELL_DATABASE_PRIMARY_FILE");
	{
		char text[256];

		snprintf(text, sizeof(text), "[database]\nprimary_file = %s\n",
		    tmpl);
		conf_free(&c);
		is_int(0, conf_parse_string(&c, "mem", text, strlen(text), err,
		    sizeof(err)), "primary_file in the file loads");
		is_string("host=secret dbname=x password=hunter2",
		    c.db_primary, "same secret");
	}
	unlink(tmpl);
	conf_free(&c);
	is_int(-1, conf_parse_string(&c, "mem",
	    "[database]\nprimary_file = /nonexistent\n", 40, err,
	    sizeof(err)), "unreadable secret refused");
	ok(has("mem:2: primary_file: cannot read /nonexistent"),
	    "names the secret file");
	conf_free(&c);
	is_int(-1, conf_parse_string(&c, "mem", "[server]\nlisten_file = /x\n",
	    25, err, sizeof(err)), "_file only for secret keys");
	conf_free(&c);

	{
		const char *two = "[redis]\nbogus = 1\n[server]\nnope = 2\n";

		is_int(-1, conf_parse_string(&c, "mem", two, strlen(two), err,
		    sizeof(err)), "two unknown keys refused");
		ok(has("mem:2: unknown key \"bogus\"") &&
		    has("mem:4: unknown key \"nope\""), "both named");
		ok(!has("syntax error"), "and no syntax error made up for them");
		conf_free(&c);
	}

	/* Layers: defaults file, the file, conf.d in name order, env. */
	{
		char	 vendor[4096];

		snprintf(vendor, sizeof(vendor), "%s",
		    data("layers/vendor.conf"));
		setenv("INKWELL_LOG_LEVEL", "warn", 1);
		conf_free(&c);
		if (!is_int(0, conf_load_layers(&c, vendor,
		    data("layers/inkwell.conf"), true, err, sizeof(err)),
		    "layers load"))
			diag("%s", err);
		unsetenv("INKWELL_LOG_LEVEL");
		is_string("systemd", c.listen, "defaults file sets listen");
		ok(c.origin[0] != NULL && strstr(c.origin[0],
		    "layers/vendor.conf:3") != NULL, "and is named its origin");
		is_string("http://operator.example", c.base_url,
		    "the file wins over the defaults file");
		is_int(7, c.workers, "conf.d/10-a.conf wins over the file");
		ok(c.origin[1] != NULL && strstr(c.origin[1],
		    "layers/conf.d/10-a.conf:2") != NULL,
		    "workers' origin is 10-a.conf:2");
		is_int(200, c.redis_ttl,
		    "20-b.conf, read after 10-a.conf, wins");
		is_string("warn", c.log_level, "the environment wins over all");
		is_string("environment INKWELL_LOG_LEVEL", conf_origin(&c,
		    "log", "level"), "its origin is the variable");
		is_string("unix:/run/redis/redis-server.sock", c.redis_address,
		    "a key no layer sets keeps the built-in default");
		ok(c.files != NULL &&
		    strstr(c.files, "vendor.conf\n") != NULL &&
		    strstr(c.files, "inkwell.conf\n") != NULL &&
		    strstr(c.files, "vendor.conf\n") < strstr(c.files,
		    "layers/inkwell.conf\n") &&
		    strstr(c.files, "10-a.conf\n") < strstr(c.files,
		    "20-b.conf\n") && strstr(c.files, "dpkg-old") == NULL &&
		    strstr(c.files, "hidden") == NULL &&
		    strstr(c.files, "README") == NULL,
		    "files read in order; dot files, other names skipped");
		conf_free(&c);

		is_int(-1, conf_load_layers(&c, vendor,
		    data("layers-bad/inkwell.conf"), true, err, sizeof(err)),
		    "a bad value in a drop-in is refused");
		ok(has("layers-bad/conf.d/50-bad.conf:3: workers = \"many\""),
		    "named with the drop-in's file and line");
		conf_free(&c);
		is_int(-1, conf_load_layers(&c, NULL,
		    data("layers-check/inkwell.conf"), true, err, sizeof(err)),
		    "a bad listen from a drop-in is refused");
		ok(has("layers-check/conf.d/50-bad.conf:3: listen = "
		    "\"somewhere\""), "named with the file and line that won");
		conf_free(&c);
		is_int(0, conf_load_layers(&c, "/nonexistent/defaults.conf",
		    data("good.conf"), true, err, sizeof(err)),
		    "a missing defaults file is fine");
		conf_free(&c);
	}

	/* Hostile input. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "[server]\nbase_url = http://", 27);
	big[sizeof(big) - 1] = '\n';
	is_int(-1, conf_parse_string(&c, "mem", big, sizeof(big), err,
	    sizeof(err)), "a 10 KB line is refused");
	ok(has("mem:2: line too long"), "says line too long at line 2");
	conf_free(&c);
	/*
	 * Lines past inih's buffer (200 bytes as Debian builds it): a
	 * connection string with TLS settings is longer.  Kept whole, cut
	 * and trimmed as inih does a short one.
	 */
	{
		char	 want[400], text[1600];
		int	 n;

		n = snprintf(want, sizeof(want), "postgresql://inkwell:%0150d@"
		    "db1.example.org:6432/inkwell?sslmode=verify-full&"
		    "sslrootcert=/etc/inkwell/db-ca.crt&sslcert=/etc/inkwell/"
		    "client.crt&sslkey=/etc/inkwell/client.key", 7);
		ok(n > 300, "a %d-byte connection string", n);
		snprintf(text, sizeof(text), "; %0300d\n[database]\n"
		    "primary   =   %s   \nreplica:%s ; the same, for now\n"
		    "[server]\nworkers = 3\n", 0, want, want);
		conf_free(&c);
		if (!is_int(0, conf_parse_string(&c, "mem", text, strlen(text),
		    err, sizeof(err)), "long lines load"))
			diag("%s", err);
		is_string(want, c.db_primary, "a long value is kept whole, "
		    "trimmed");
		is_string(want, c.db_replica, "with ':' and an inline comment, "
		    "cut there");
		is_int(3, c.workers, "the lines after them are read");
		/* keys[13]: [database] primary, after the 13 [server] keys. */
		ok(c.origin[13] != NULL && strcmp(c.origin[13], "mem:3") == 0,
		    "its origin is its line");
		conf_free(&c);
		snprintf(text, sizeof(text), "[database]\nprimary = %s\n"
		    "bogus = %s\n", want, want);
		is_int(-1, conf_parse_string(&c, "mem", text, strlen(text),
		    err, sizeof(err)), "a long line with an unknown key");
		ok(has("mem:3: unknown key \"bogus\""), "named as usual");
		conf_free(&c);
		snprintf(text, sizeof(text), "[database]\n  primary = %s\n"
		    "[%0300d]\n", want, 0);
		is_int(-1, conf_parse_string(&c, "mem", text, strlen(text),
		    err, sizeof(err)), "long indented and [section] lines");
		ok(has("mem:2: line too long") && has("mem:3: line too long"),
		    "refused, each named");
		conf_free(&c);
	}
	is_int(-1, conf_parse_string(&c, "mem", "[server]\nworkers = 2\0x\n",
	    23, err, sizeof(err)), "NUL byte refused");
	ok(has("NUL byte"), "says NUL byte");
	conf_free(&c);
	is_int(-1, conf_parse_string(&c, "mem", "workers = 2\n", 12, err,
	    sizeof(err)), "key outside a section refused");
	ok(has("mem:1: key \"workers\" outside any [section]"),
	    "says outside a section");
	conf_free(&c);
	is_int(-1, conf_parse_string(&c, "mem",
	    "[server]\nworkers = 99999999999999999999999\n", 41, err,
	    sizeof(err)), "overflowing number refused");
	conf_free(&c);
	is_int(-1, conf_parse_string(&c, "mem", "[server]\nworkers = +2\n",
	    21, err, sizeof(err)), "'+2' refused");
	conf_free(&c);
	is_int(0, conf_parse_string(&c, "mem", "", 0, err, sizeof(err)),
	    "empty text gives the defaults");
	conf_free(&c);
	{
		char small[40];

		is_int(-1, conf_parse_string(&c, "mem",
		    "[a]\nb=1\n[c]\nd=2\n[e]\nf=3\n", 24, small,
		    sizeof(small)), "many errors, tiny buffer");
		ok(strlen(small) < sizeof(small), "error text truncated safely");
		conf_free(&c);
	}
	trace_keys();
	return done_testing();
}
