/* fin demo — placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int fin_cmd_demo(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "fin demo: not built yet\n");
  return 2;
}
