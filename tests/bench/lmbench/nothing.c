/* nothing.c - the program lmbench's fork+exec and spawn start: it exits at once (ring 3). */
int main(void)
{
    return 0;
}
