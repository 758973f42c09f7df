/* SPDX-License-Identifier: MIT */
/* fin — command-line entry: dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* CMake passes PROJECT_VERSION; a build without it still says something true. */
#ifndef FIN_VERSION
#define FIN_VERSION "unknown"
#endif

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
};

static const struct command commands[] = {
    {"sim", fin_cmd_sim, "run a scenario on the simulated network (ladder, pcap, events)"},
    {"script", fin_cmd_script, "run packetdrill-dialect scripts against fin"},
    {"serve", fin_cmd_serve, "serve on a TUN device (echo, discard, sink, http)"},
    {"connect", fin_cmd_connect, "connect through a TUN device"},
    {"demo", fin_cmd_demo, "two fin stacks back to back: every way a connection ends"},
    {"ss", fin_cmd_ss, "connections of a running serve/connect (ss -tanoi columns)"},
    {"stat", fin_cmd_stat, "counters of a running serve/connect (nstat text or -j JSON)"},
    {"kill", fin_cmd_kill, "abort one connection of a running serve/connect (like ss -K)"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: fin COMMAND [options]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\noptions:\n"
               "  -V, --version  print the version\n"
               "  -h, --help     this text\n"
               "\n'fin COMMAND --help' (or 'fin help COMMAND') describes each command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
    printf("fin %s\n", FIN_VERSION);
    return 0;
  }
  /* "fin help sim" is "fin sim --help". */
  if (strcmp(argv[1], "help") == 0 && argc == 3) {
    char help[] = "--help";
    char *args[] = {argv[2], help, NULL};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
      if (strcmp(argv[2], commands[i].name) == 0)
        return commands[i].run(2, args);
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(argc == 2 ? stdout : stderr);
    return argc == 2 ? 0 : 2;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "fin: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
