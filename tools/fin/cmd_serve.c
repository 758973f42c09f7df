/* fin serve — placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int fin_cmd_serve(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "fin serve: not built yet\n");
  return 2;
}
