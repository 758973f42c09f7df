/* fin script — placeholder until its issue lands. */
#include <stdio.h>

#include "commands.h"

int fin_cmd_script(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "fin script: not built yet\n");
  return 2;
}
