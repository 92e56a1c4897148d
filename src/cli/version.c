/* version.c: `upod version`: what this binary is and what it was built from. */
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include <time.h>

#include <libslirp.h>

#include "text/json.h"
#include "text/template.h"
#include "base/util.h"
#include "buildinfo.h"
#include "cli/cmd.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define LIBCAP_VERSION_STRING STRINGIFY(LIBCAP_MAJOR) "." STRINGIFY(LIBCAP_MINOR)

static const char *go_arch(const char *machine)
{
    /* podman prints Go's architecture names. */
    if (strcmp(machine, "x86_64") == 0)
        return "amd64";
    if (strcmp(machine, "aarch64") == 0)
        return "arm64";
    return machine;
}

static json_t *version_tree(void)
{
    struct utsname u;
    char built[64] = "unknown";
    time_t epoch = (time_t)UPOD_BUILD_EPOCH;
    struct tm tm;
    if (gmtime_r(&epoch, &tm))
        strftime(built, sizeof(built), "%a %b %e %H:%M:%S %Y UTC", &tm);
    const char *arch = uname(&u) == 0 ? go_arch(u.machine) : "unknown";

    json_t *root = json_new_object();
    json_t *client = json_set(root, "Client", json_new_object());
    json_set_string(client, "Version", UPOD_VERSION);
    json_set_string(client, "Libslirp", slirp_version_string());
    json_set_string(client, "Libcap", LIBCAP_VERSION_STRING);
    json_set_string(client, "GitCommit", UPOD_GIT_COMMIT);
    json_set_int(client, "Built", (long long)UPOD_BUILD_EPOCH);
    json_set_string(client, "BuiltTime", built);
    json_set_string(client, "Compiler", UPOD_COMPILER);
    json_set_string(client, "Libc", UPOD_LIBC);
    json_set_bool(client, "Static", UPOD_STATIC);
    cleanup_free char *osarch = xasprintf("linux/%s", arch);
    json_set_string(client, "OsArch", osarch);
    return root;
}

static void print_version_table(const json_t *root)
{
    const json_t *c = json_get(root, "Client");
    printf("Version:      %s\n", json_get(c, "Version")->u.string);
    printf("libslirp:     %s\n", json_get(c, "Libslirp")->u.string);
    printf("libcap:       %s\n", json_get(c, "Libcap")->u.string);
    printf("Git Commit:   %s\n", json_get(c, "GitCommit")->u.string);
    printf("Built:        %s\n", json_get(c, "BuiltTime")->u.string);
    printf("Compiler:     %s, %s, %s\n", json_get(c, "Compiler")->u.string,
           json_get(c, "Libc")->u.string,
           json_get(c, "Static")->u.boolean ? "statically linked" : "dynamically linked");
    printf("OS/Arch:      %s\n", json_get(c, "OsArch")->u.string);
}

int cmd_version(int argc, char **argv, upod_error_t *err)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = NULL;
    int c;
    cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            break;
        case 'h':
            printf("Usage: upod version [--format json|TEMPLATE]\n\n"
                   "Show the upod version, the libraries built into it and how it was built.\n");
            return 0;
        default:
            return cli_option_error(c, argc, argv, "version", err);
        }
    }
    if (cli_no_args(argc, argv, "version", err) < 0)
        return -1;
    json_t *tree = version_tree();
    int ret = 0;
    if (format)
        ret = format_output(format, tree, stdout, err);
    else
        print_version_table(tree);
    json_free(tree);
    return ret;
}
