/* SPDX-License-Identifier: MIT */
/* fin CLI: one file per subcommand. Each returns the process exit code. */
#ifndef FIN_TOOLS_COMMANDS_H
#define FIN_TOOLS_COMMANDS_H

int fin_cmd_sim(int argc, char **argv);     /* cmd_sim.c: simulated network + ladder */
int fin_cmd_script(int argc, char **argv);  /* cmd_script.c: packetdrill-dialect runner */
int fin_cmd_serve(int argc, char **argv);   /* cmd_serve.c: TUN server */
int fin_cmd_connect(int argc, char **argv); /* cmd_connect.c: TUN client */
int fin_cmd_demo(int argc, char **argv);    /* cmd_demo.c: engine end-to-end example */
int fin_cmd_ss(int argc, char **argv);      /* cmd_ss.c: connections of a running fin */
int fin_cmd_stat(int argc, char **argv);    /* cmd_stat.c: counters of a running fin */
int fin_cmd_kill(int argc, char **argv);    /* cmd_kill.c: abort one connection by 4-tuple */

#endif
