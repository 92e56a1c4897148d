/* tests/tools/ipc.c: the seed article's IPC demonstration, rewritten as a
 * small static test program (the article used allingeek/ch6_ipc).
 *
 *   ipc -producer        POSIX message queue /upod-ipc: send 8 random bytes
 *                        as hex, one message each ("Produced: 86"), then
 *                        "done"; the queue stays for the consumer
 *   ipc -consumer        read the queue until "done" ("Consumed: 86")
 *   ipc -sysv-producer   the same through a System V message queue (key
 *   ipc -sysv-consumer   0x75706f64)
 *   ipc -shm-write TEXT  /dev/shm/upod-ipc holds TEXT
 *   ipc -shm-read        print it
 *
 * A consumer that finds nothing says so, as the article's does, and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <unistd.h>

#define QUEUE "/upod-ipc"
#define SYSV_KEY 0x75706f64
#define SHM_FILE "/dev/shm/upod-ipc"
#define COUNT 8
#define MSG_SIZE 64

static const char nothing[] =
    "Either the producer has not been started or maybe I cannot access the same memory...";

struct sysv_msg {
    long type;
    char text[MSG_SIZE];
};

static void next_value(char *out, size_t size)
{
    unsigned char b = 0;
    if (getrandom(&b, 1, 0) != 1)
        b = (unsigned char)rand();
    snprintf(out, size, "%02x", b);
}

static int posix_producer(void)
{
    struct mq_attr attr = {.mq_maxmsg = COUNT + 1, .mq_msgsize = MSG_SIZE};
    mqd_t q = mq_open(QUEUE, O_CREAT | O_WRONLY, 0600, &attr);
    if (q == (mqd_t)-1) {
        fprintf(stderr, "ipc: mq_open %s: %s\n", QUEUE, strerror(errno));
        return 1;
    }
    char text[MSG_SIZE];
    for (int i = 0; i < COUNT; i++) {
        next_value(text, sizeof(text));
        if (mq_send(q, text, strlen(text) + 1, 0) < 0) {
            fprintf(stderr, "ipc: mq_send: %s\n", strerror(errno));
            return 1;
        }
        printf("Produced: %s\n", text);
        fflush(stdout);
    }
    if (mq_send(q, "done", 5, 0) < 0) {
        fprintf(stderr, "ipc: mq_send: %s\n", strerror(errno));
        return 1;
    }
    mq_close(q);
    return 0;
}

static int posix_consumer(void)
{
    mqd_t q = mq_open(QUEUE, O_RDONLY);
    if (q == (mqd_t)-1) {
        puts(nothing);
        return 1;
    }
    char text[MSG_SIZE + 1];
    for (;;) {
        ssize_t n = mq_receive(q, text, MSG_SIZE, NULL);
        if (n < 0) {
            fprintf(stderr, "ipc: mq_receive: %s\n", strerror(errno));
            return 1;
        }
        text[n] = '\0';
        printf("Consumed: %s\n", text);
        fflush(stdout);
        if (strcmp(text, "done") == 0)
            break;
    }
    mq_close(q);
    mq_unlink(QUEUE);
    return 0;
}

static int sysv_producer(void)
{
    int q = msgget(SYSV_KEY, IPC_CREAT | 0600);
    if (q < 0) {
        fprintf(stderr, "ipc: msgget: %s\n", strerror(errno));
        return 1;
    }
    struct sysv_msg m = {.type = 1};
    for (int i = 0; i <= COUNT; i++) {
        if (i < COUNT)
            next_value(m.text, sizeof(m.text));
        else
            snprintf(m.text, sizeof(m.text), "done");
        if (msgsnd(q, &m, strlen(m.text) + 1, 0) < 0) {
            fprintf(stderr, "ipc: msgsnd: %s\n", strerror(errno));
            return 1;
        }
        if (i < COUNT)
            printf("Produced: %s\n", m.text);
    }
    return 0;
}

static int sysv_consumer(void)
{
    int q = msgget(SYSV_KEY, 0);
    if (q < 0) {
        puts(nothing);
        return 1;
    }
    struct sysv_msg m;
    for (;;) {
        ssize_t n = msgrcv(q, &m, sizeof(m.text), 0, 0);
        if (n < 0) {
            fprintf(stderr, "ipc: msgrcv: %s\n", strerror(errno));
            return 1;
        }
        m.text[sizeof(m.text) - 1] = '\0';
        printf("Consumed: %s\n", m.text);
        if (strcmp(m.text, "done") == 0)
            break;
    }
    msgctl(q, IPC_RMID, NULL);
    return 0;
}

static int shm_write(const char *text)
{
    FILE *f = fopen(SHM_FILE, "w");
    if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
        fprintf(stderr, "ipc: %s: %s\n", SHM_FILE, strerror(errno));
        return 1;
    }
    return 0;
}

static int shm_read(void)
{
    FILE *f = fopen(SHM_FILE, "r");
    char line[256];
    if (!f || !fgets(line, sizeof(line), f)) {
        puts(nothing);
        return 1;
    }
    fputs(line, stdout);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "-producer") == 0)
        return posix_producer();
    if (strcmp(mode, "-consumer") == 0)
        return posix_consumer();
    if (strcmp(mode, "-sysv-producer") == 0)
        return sysv_producer();
    if (strcmp(mode, "-sysv-consumer") == 0)
        return sysv_consumer();
    if (strcmp(mode, "-shm-write") == 0 && argc > 2)
        return shm_write(argv[2]);
    if (strcmp(mode, "-shm-read") == 0)
        return shm_read();
    fprintf(stderr, "usage: ipc -producer|-consumer|-sysv-producer|-sysv-consumer|"
                    "-shm-write TEXT|-shm-read\n");
    return 2;
}
