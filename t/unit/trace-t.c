/* SPDX-License-Identifier: MIT */
/*
 * trace-t.c: the traceparent parser fed what a hostile client would
 * send, and the per-request trace the log lines read: ids, parents,
 * and nothing recorded without an exporter.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "lib/trace.h"

#define GOOD	"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static bool
parses(const char *s)
{
	struct trace_parent p;

	return trace_parse(s, strlen(s), &p) == 0;
}

static void
parse(void)
{
	struct trace_parent p;
	char	 long_[4096];

	ok(trace_parse(GOOD, strlen(GOOD), &p) == 0, "the spec's example");
	is_int(0x4b, p.trace_id[0], "trace id's first byte");
	is_int(0x36, p.trace_id[15], "trace id's last byte");
	is_int(0x00, p.span_id[0], "span id's first byte");
	is_int(0xb7, p.span_id[7], "span id's last byte");
	is_int(1, p.flags, "sampled flag");
	ok(parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
	    "not sampled is valid");
	ok(parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff"),
	    "unknown flags are kept, not refused");
	ok(!parses("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
	    "version 01 refused (strict)");
	ok(!parses("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
	    "version ff refused");
	ok(!parses("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
	    "upper-case trace id refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01"),
	    "upper-case span id refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"),
	    "upper-case flags refused");
	ok(!parses("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
	    "all-zero trace id refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
	    "all-zero span id refused");
	ok(!parses(GOOD "-extra"), "trailing data refused");
	ok(!parses(GOOD " "), "a trailing space refused");
	ok(!parses(" " GOOD), "a leading space refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"),
	    "a short trace id refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01"),
	    "a short span id refused");
	ok(!parses("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"),
	    "other separators refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01"),
	    "non-hex refused");
	ok(!parses("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g"),
	    "non-hex flags refused");
	ok(!parses("00-4bf92f3577b34da6\"<script>6-00f067aa0ba902b7-01"),
	    "quotes and markup refused");
	ok(!parses(""), "empty refused");
	ok(trace_parse(NULL, 0, &p) != 0, "NULL refused");
	ok(trace_parse(GOOD "\0zz", strlen(GOOD) + 3, &p) != 0,
	    "an embedded NUL (length past it) refused");
	memset(long_, 'a', sizeof(long_) - 1);
	long_[sizeof(long_) - 1] = '\0';
	memcpy(long_, GOOD, strlen(GOOD));
	ok(!parses(long_), "4 KiB starting with a good value refused");

	{
		uint8_t	 id[16];

		ok(trace_parse_id("4bf92f3577b34da6a3ce929d0e0e4736", 32, id,
		    16) == 0, "a 32-hex id");
		ok(trace_parse_id("4bf92f3577b34da6a3ce929d0e0e473", 31, id,
		    16) != 0, "31 digits refused");
		ok(trace_parse_id("00000000000000000000000000000000", 32, id,
		    16) != 0, "zeros refused");
		ok(trace_parse_id("4bf92f3577b34da6a3ce929d0e0e473G", 32, id,
		    16) != 0, "a capital refused");
	}
}

static void
request(void)
{
	const char	*tid = NULL, *sid = NULL;
	char		 first_span[17];

	ok(!trace_current(&tid, &sid), "no ids outside a request");
	ok(trace_id_hex() == NULL, "no trace id outside a request");

	trace_request_begin(GOOD, NULL);
	ok(trace_current(&tid, &sid), "ids inside a request");
	is_string("4bf92f3577b34da6a3ce929d0e0e4736", tid,
	    "the trace id is the traceparent's");
	ok(sid != NULL && strlen(sid) == 16 &&
	    strcmp(sid, "00f067aa0ba902b7") != 0,
	    "the request has a span id of its own, not the caller's");
	snprintf(first_span, sizeof(first_span), "%s", sid);
	ok(!trace_sampled(), "nothing is recorded without an exporter");
	is_int(-1, trace_span_begin("child", TRACE_INTERNAL),
	    "so a child span is -1");
	trace_attr_str(-1, "k", "v");
	trace_span_end(-1, true);
	ok(trace_current(&tid, &sid) && strcmp(sid, first_span) == 0,
	    "and the current span stays the request's");
	trace_request_end("GET", "/", 200);
	ok(!trace_current(&tid, &sid), "no ids after the request");

	trace_request_begin("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
	    "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb");
	ok(trace_current(&tid, &sid), "a refused traceparent still has ids");
	is_string("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb", tid,
	    "from the front end's trace id");
	trace_request_end("GET", NULL, 200);

	trace_request_begin(NULL, "not hex at all, and much too long........");
	ok(trace_current(&tid, &sid) && strlen(tid) == 32 &&
	    strspn(tid, "0123456789abcdef") == 32, "a bad one: a random id");
	trace_request_end("GET", NULL, 500);
}

int
main(void)
{
	if (sodium_init() < 0)
		bail("libsodium");
	parse();
	request();
	done_testing();
	return 0;
}
