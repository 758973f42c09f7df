/* fin connect — placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int fin_cmd_connect(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "fin connect: not built yet\n");
  return 2;
}
