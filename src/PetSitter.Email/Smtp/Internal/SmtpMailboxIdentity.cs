namespace PetSitter.Email.Smtp;

/// <summary>One mailbox on one server: the unit that owns a connection pool.</summary>
internal readonly record struct SmtpMailboxIdentity(string Host, int Port, string? UserName);
