/* calc.c - a small infix calculator on newlib's libm (ring 3 under examples/minikernel):
 *   calc "sqrt(2)*sin(1)"      evaluates its arguments as one expression
 *   calc                       evaluates each line of standard input
 * + - * / ^ (power), parentheses, unary minus, pi, e, and the functions of the table below. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pos;         /* the parser's place in the expression */
static int failed;

static const struct { const char *name; double (*fn)(double); } functions[] = {
    { "sqrt", sqrt }, { "sin", sin }, { "cos", cos }, { "tan", tan }, { "atan", atan },
    { "exp", exp },   { "log", log }, { "log10", log10 }, { "abs", fabs }, { "floor", floor },
};

static double expr(void);

static void skip_spaces(void)
{
    while (isspace((unsigned char)*pos))
        pos++;
}

static int eat(char c)
{
    skip_spaces();
    if (*pos != c)
        return 0;
    pos++;
    return 1;
}

static double error(const char *why)
{
    if (!failed)
        fprintf(stderr, "calc: %s at \"%s\"\n", why, pos);
    failed = 1;
    return NAN;
}

/* A name: a constant, or a function applied to a parenthesised argument. */
static double named(void)
{
    char name[16];
    size_t n = 0;
    while (isalnum((unsigned char)*pos) && n < sizeof(name) - 1)
        name[n++] = *pos++;
    name[n] = '\0';
    if (!strcmp(name, "pi"))
        return M_PI;
    if (!strcmp(name, "e"))
        return M_E;
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
        if (!strcmp(name, functions[i].name)) {
            if (!eat('('))
                return error("( expected");
            double x = expr();
            return eat(')') ? functions[i].fn(x) : error(") expected");
        }
    return error("unknown name");
}

static double primary(void)
{
    skip_spaces();
    if (eat('(')) {
        double x = expr();
        return eat(')') ? x : error(") expected");
    }
    if (isalpha((unsigned char)*pos))
        return named();
    char *end;
    double x = strtod(pos, &end);
    if (end == pos)
        return error("number expected");
    pos = end;
    return x;
}

/* ^ binds tighter than unary minus on its left and is right-associative: -2^2 = -4, 2^3^2 = 512. */
static double unary(void);

static double power(void)
{
    double x = primary();
    return eat('^') ? pow(x, unary()) : x;
}

static double unary(void)
{
    return eat('-') ? -unary() : power();
}

static double term(void)
{
    double x = unary();
    for (;;) {
        if (eat('*'))
            x *= unary();
        else if (eat('/'))
            x /= unary();
        else
            return x;
    }
}

static double expr(void)
{
    double x = term();
    for (;;) {
        if (eat('+'))
            x += term();
        else if (eat('-'))
            x -= term();
        else
            return x;
    }
}

/* Prints the value (or says why not); 0 on success. */
static int evaluate(const char *text)
{
    pos = text;
    failed = 0;
    double x = expr();
    skip_spaces();
    if (*pos && !failed)
        error("unexpected text");
    if (failed)
        return 1;
    printf("%.10g\n", x);
    return 0;
}

int main(int argc, char **argv)
{
    char line[256];
    if (argc > 1) {
        line[0] = '\0';
        for (int i = 1; i < argc; i++)      /* `calc 1 + 2` and `calc "1 + 2"` mean the same */
            snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s ", argv[i]);
        return evaluate(line);
    }
    int status = 0;
    while (fgets(line, sizeof(line), stdin))
        status |= evaluate(line);
    return status;
}
