namespace PetSitter.Email.Smtp;

/// <summary>A connection rented from a pool; <see cref="Reused"/> tells whether it carried earlier sends.</summary>
internal readonly record struct SmtpConnectionLease<TConnection>(TConnection Connection, bool Reused)
    where TConnection : class, IPooledSmtpConnection;
